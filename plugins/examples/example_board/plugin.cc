// Exports ExampleBoardDriver as the plugin "example_board": the only line that makes a class a
// plugin.
#include "core/api/plugin_sdk.h"
#include "plugins/examples/example_board/example_board.h"

MPTEST_PLUGIN("example_board", "1.0.0", "Worked example: boards simulated by virtual_board",
              mptest::examples::ExampleBoardDriver);
