// A board driver that misbehaves on request, for tests of how mptest survives its plugins:
// each method reads a tag named after it (Discover: of the first inventory entry; Flash: of the
// request's tentacle) and then crashes, hangs, throws, exits or fails (misbehave.h). Without the
// tag it works.
#include <map>
#include <string>

#include "absl/status/status.h"
#include "core/api/plugin_sdk.h"
#include "testdata/plugins/misbehave.h"

namespace {

absl::Status Misbehave(const mptest::proto::InventoryEntry& entry, const std::string& method) {
  return mptest_testdata::Misbehave(mptest_testdata::Requested(entry.tags(), method), method);
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
    if (absl::Status status = Misbehave(request.tentacle().entry(), "Flash"); !status.ok()) {
      return status;
    }
    flashed_[request.tentacle().entry().label()] = request.firmware().version();
    return absl::OkStatus();
  }
  absl::Status Stop(const mptest::proto::Tentacle& tentacle) override {
    return Misbehave(tentacle.entry(), "Stop");
  }
  // What this process flashed last; else no probe of its own: mptest asks the board's console.
  absl::StatusOr<std::string> ReadVersion(const mptest::proto::Tentacle& tentacle) override {
    if (absl::Status status = Misbehave(tentacle.entry(), "ReadVersion"); !status.ok()) {
      return status;
    }
    auto flashed = flashed_.find(tentacle.entry().label());
    if (flashed != flashed_.end()) return flashed->second;
    return BoardDriver::ReadVersion(tentacle);
  }

 private:
  std::map<std::string, std::string> flashed_;  // by tentacle label
};

}  // namespace

MPTEST_PLUGIN("faulty_board", "1.0.0", "test board driver that misbehaves on request",
              FaultyBoardDriver);
