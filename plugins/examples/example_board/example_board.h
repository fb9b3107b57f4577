// ExampleBoardDriver: the worked example of docs/writing-a-plugin.md, a new tentacle type
// "example_board" in one small class. Its boards are simulated by firmware/'s virtual_board
// program (a real bench would power a board through a relay and talk to its USB serial port),
// but every call has the shape a real driver's has: Discover resolves inventory entries, Start
// brings the board up and records how to reach it in Tentacle.runtime, Flash writes firmware,
// Stop ends it.
//
// Inventory entry for this type:
//   tentacles { label: "bench-1"  type: "example_board"  board: "VIRTUAL"
//               command: "/path/to/virtual_board" }      # the simulator; extra flags may follow
#ifndef MPTEST_PLUGINS_EXAMPLES_EXAMPLE_BOARD_EXAMPLE_BOARD_H_
#define MPTEST_PLUGINS_EXAMPLES_EXAMPLE_BOARD_EXAMPLE_BOARD_H_

#include "core/api/board_driver.h"

namespace mptest::examples {

class ExampleBoardDriver : public BoardDriver {
 public:
  absl::StatusOr<proto::DiscoverResponse> Discover(const proto::DiscoverRequest& request) override;
  absl::StatusOr<proto::Tentacle> Start(const proto::Tentacle& tentacle) override;
  absl::Status PowerCycle(const proto::Tentacle& tentacle) override;
  absl::Status Flash(const proto::FlashRequest& request) override;
  absl::Status Stop(const proto::Tentacle& tentacle) override;
};

}  // namespace mptest::examples

#endif  // MPTEST_PLUGINS_EXAMPLES_EXAMPLE_BOARD_EXAMPLE_BOARD_H_
