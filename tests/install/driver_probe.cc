// A program of a plugin author's own, built outside the workspace against the installed tree
// (pkg-config mptest-plugin mptest-proto): calls the example board driver's Discover directly,
// without mptest, and prints the console path of each tentacle it returns (an error: exit 1).
// Usage: driver_probe STATE_DIR LABEL BOARD SIMULATOR
#include <cstdio>

#include "example_board.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: driver_probe STATE_DIR LABEL BOARD SIMULATOR\n");
    return 2;
  }
  mptest::proto::DiscoverRequest request;
  request.set_state_dir(argv[1]);
  mptest::proto::InventoryEntry* entry = request.mutable_inventory()->add_tentacles();
  entry->set_label(argv[2]);
  entry->set_type("example_board");
  entry->set_board(argv[3]);
  entry->add_command(argv[4]);
  request.add_boards()->set_name(argv[3]);
  absl::StatusOr<mptest::proto::DiscoverResponse> found =
      mptest::examples::ExampleBoardDriver().Discover(request);
  if (!found.ok()) {
    std::fprintf(stderr, "Discover: %s\n", found.status().ToString().c_str());
    return 1;
  }
  for (const mptest::proto::Tentacle& tentacle : found->tentacles()) {
    std::printf("%s\n", tentacle.console().c_str());
  }
  return 0;
}
