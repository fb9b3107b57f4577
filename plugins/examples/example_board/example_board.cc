// The example board driver (see example_board.h), written with the plugin SDK's board helpers
// (plugins/boards/driver_util.h): entries to tentacles, the simulator tied to its tentacle.
#include "example_board.h"  // beside this file: the example also builds outside the workspace

#include "absl/strings/str_cat.h"
#include "core/report/atomic_file.h"
#include "plugins/boards/driver_util.h"

namespace mptest::examples {

absl::StatusOr<proto::DiscoverResponse> ExampleBoardDriver::Discover(
    const proto::DiscoverRequest& request) {
  auto tentacles = boards::ResolveEntries(request, "example_board");  // board, state_dir
  if (!tentacles.ok()) return tentacles.status();
  proto::DiscoverResponse response;
  for (proto::Tentacle& tentacle : *tentacles) {
    if (tentacle.entry().command().empty()) {
      return absl::InvalidArgumentError(absl::StrCat("tentacle '", tentacle.entry().label(),
                                                     "': command must name the board simulator"));
    }
    tentacle.set_console(tentacle.runtime().at("state_dir") + "/console");
    *response.add_tentacles() = std::move(tentacle);
  }
  return response;
}

absl::StatusOr<proto::Tentacle> ExampleBoardDriver::Start(const proto::Tentacle& tentacle) {
  absl::StatusOr<std::string> dir = boards::RuntimeField(tentacle, "state_dir");
  if (!dir.ok()) return dir.status();
  // The simulator's command, told its board, its flash file and the console to serve.
  std::vector<std::string> argv(tentacle.entry().command().begin(),
                                tentacle.entry().command().end());
  argv.insert(argv.begin() + 1, {"--board=" + tentacle.board().name(), "--flash=" + *dir + "/flash",
                                 "--link=" + tentacle.console()});
  return boards::StartTentacleProcess(tentacle, argv, *dir + "/board.log");  // until Stop
}

absl::Status ExampleBoardDriver::PowerCycle(const proto::Tentacle& tentacle) {
  return boards::PowerCycleTentacleProcess(tentacle);  // the simulator reboots on SIGHUP
}

absl::Status ExampleBoardDriver::Flash(const proto::FlashRequest& request) {
  absl::StatusOr<std::string> dir = boards::RuntimeField(request.tentacle(), "state_dir");
  if (!dir.ok()) return dir.status();
  absl::Status copied = report::CopyFileAtomically(request.firmware().path(), *dir + "/flash");
  // A running board boots the new image at once; a stopped one boots it at Start.
  if (!copied.ok() || !boards::RunningProcess(request.tentacle()).ok()) return copied;
  return boards::PowerCycleTentacleProcess(request.tentacle());
}

absl::Status ExampleBoardDriver::Stop(const proto::Tentacle& tentacle) {
  return boards::StopTentacleProcess(tentacle);  // OK when it does not run
}

}  // namespace mptest::examples
