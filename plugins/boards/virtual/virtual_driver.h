// The "virtual" tentacle type: each tentacle is a virtual_board process (firmware/) serving a
// pty, with its flash file, log and console link in the tentacle's state directory. Boards run
// detached, so Start, Flash, PowerCycle and Stop work from any process; what they need between
// calls is in Tentacle.runtime (state_dir, pid, flash, log).
#ifndef MPTEST_PLUGINS_BOARDS_VIRTUAL_VIRTUAL_DRIVER_H_
#define MPTEST_PLUGINS_BOARDS_VIRTUAL_VIRTUAL_DRIVER_H_

#include <string>

#include "absl/time/time.h"
#include "core/api/board_driver.h"

namespace mptest::boards {

class VirtualBoardDriver : public BoardDriver {
 public:
  // Finds the virtual_board binary: $MPTEST_VIRTUAL_BOARD, next to this library or program, or
  // in Bazel runfiles (firmware/virtual_board).
  VirtualBoardDriver();
  explicit VirtualBoardDriver(std::string board_binary);

  // Checks that the binary was found (called by the plugin SDK after construction).
  absl::Status Initialize();

  absl::StatusOr<proto::DiscoverResponse> Discover(const proto::DiscoverRequest& request) override;
  // Starts the board (with a factory image when nothing was flashed yet); console = the link.
  // A tentacle whose board already runs is returned as it is.
  absl::StatusOr<proto::Tentacle> Start(const proto::Tentacle& tentacle) override;
  absl::Status PowerCycle(const proto::Tentacle& tentacle) override;
  // Writes the image into the board's flash, power-cycles it, and checks over the raw REPL
  // that it booted the image's version (DeadlineExceeded/FailedPrecondition otherwise: a
  // corrupt or foreign image leaves the board unbootable, as it would a real one).
  absl::Status Flash(const proto::FlashRequest& request) override;
  absl::Status Stop(const proto::Tentacle& tentacle) override;

  // The image Start writes into an empty flash.
  static constexpr char kFactoryVersion[] = "v1.29.0-factory";

 private:
  std::string binary_;
};

}  // namespace mptest::boards

#endif  // MPTEST_PLUGINS_BOARDS_VIRTUAL_VIRTUAL_DRIVER_H_
