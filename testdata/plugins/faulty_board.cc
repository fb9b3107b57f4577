// A board driver that misbehaves on request, for tests of how mptest survives its plugins:
// each method reads a tag named after it (Discover: of the first inventory entry; Flash: of the
// request's tentacle) and then crashes ("crash": SIGSEGV), hangs ("hang"), throws ("throw"),
// exits ("exit": _exit(7)) or fails ("error": FAILED_PRECONDITION). Without the tag it works.
#include <unistd.h>

#include <stdexcept>
#include <string>

#include "absl/status/status.h"
#include "core/api/plugin_sdk.h"

namespace {

absl::Status Misbehave(const mptest::proto::InventoryEntry& entry, const std::string& method) {
  auto tag = entry.tags().find(method);
  if (tag == entry.tags().end()) return absl::OkStatus();
  if (tag->second == "crash") {
    volatile int* null = nullptr;
    *null = 1;
  }
  if (tag->second == "hang") {
    for (;;) pause();
  }
  if (tag->second == "throw") throw std::runtime_error(method + " threw as asked");
  if (tag->second == "exit") _exit(7);
  return absl::FailedPreconditionError(method + " failed as asked");
}

class FaultyBoardDriver : public mptest::BoardDriver {
 public:
  absl::StatusOr<mptest::proto::DiscoverResponse> Discover(
      const mptest::proto::DiscoverRequest& request) override {
    if (request.inventory().tentacles_size() > 0) {
      if (absl::Status status = Misbehave(request.inventory().tentacles(0), "Discover");
          !status.ok()) {
        return status;
      }
    }
    mptest::proto::DiscoverResponse response;
    for (const auto& entry : request.inventory().tentacles()) {
      mptest::proto::Tentacle* tentacle = response.add_tentacles();
      *tentacle->mutable_entry() = entry;
      tentacle->set_state("idle");
    }
    return response;
  }
  absl::StatusOr<mptest::proto::Tentacle> Start(const mptest::proto::Tentacle& tentacle) override {
    if (absl::Status status = Misbehave(tentacle.entry(), "Start"); !status.ok()) return status;
    mptest::proto::Tentacle started = tentacle;
    started.set_state("idle");
    (*started.mutable_runtime())["started_by"] = "faulty_board";
    return started;
  }
  absl::Status PowerCycle(const mptest::proto::Tentacle& tentacle) override {
    return Misbehave(tentacle.entry(), "PowerCycle");
  }
  absl::Status Flash(const mptest::proto::FlashRequest& request) override {
    return Misbehave(request.tentacle().entry(), "Flash");
  }
  absl::Status Stop(const mptest::proto::Tentacle& tentacle) override {
    return Misbehave(tentacle.entry(), "Stop");
  }
};

}  // namespace

MPTEST_PLUGIN("faulty_board", "1.0.0", "test board driver that misbehaves on request",
              FaultyBoardDriver);
