// ExampleBoardDriver: the worked example of docs/writing-a-plugin.md, the tentacle type
// "example_board", whose boards are firmware/'s virtual_board program. Inventory entry:
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
