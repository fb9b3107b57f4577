// A well-behaved board-driver plugin for the loader tests: one tentacle per inventory entry of
// type "good_board", consoles under the state directory. Uses the core's messages throughout.
#include <string>

#include "absl/status/status.h"
#include "core/api/plugin_sdk.h"

namespace {

class GoodBoardDriver : public mptest::BoardDriver {
 public:
  absl::StatusOr<mptest::proto::DiscoverResponse> Discover(
      const mptest::proto::DiscoverRequest& request) override {
    mptest::proto::DiscoverResponse response;
    for (const auto& entry : request.inventory().tentacles()) {
      mptest::proto::Tentacle* tentacle = response.add_tentacles();
      *tentacle->mutable_entry() = entry;
      tentacle->set_console(request.state_dir() + "/" + entry.label() + ".tty");
      tentacle->set_state("idle");
    }
    return response;
  }
  absl::StatusOr<mptest::proto::Tentacle> Start(const mptest::proto::Tentacle& tentacle) override {
    mptest::proto::Tentacle started = tentacle;
    (*started.mutable_runtime())["started_by"] = "good_board";
    return started;
  }
  absl::Status PowerCycle(const mptest::proto::Tentacle& tentacle) override {
    return absl::UnimplementedError("good_board cannot power-cycle " + tentacle.entry().label());
  }
  absl::Status Flash(const mptest::proto::FlashRequest& request) override {
    if (request.firmware().path().empty()) {
      return absl::InvalidArgumentError("FlashRequest.firmware.path is empty");
    }
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> ReadVersion(const mptest::proto::Tentacle& tentacle) override {
    return "good;3.4.0; MicroPython v1.29.0 on 2026-12-02;good " + tentacle.entry().label();
  }
  absl::Status Stop(const mptest::proto::Tentacle&) override {
    throw std::runtime_error("the relay board caught fire");  // must not cross the boundary
  }
};

}  // namespace

MPTEST_PLUGIN("good_board", "1.2.3", "test board driver", GoodBoardDriver);
