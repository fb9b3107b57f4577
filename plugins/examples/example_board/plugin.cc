// Exports ExampleBoardDriver as the plugin "example_board": the one line that makes it a plugin.
#include "core/api/plugin_sdk.h"
#include "example_board.h"  // beside this file: the example also builds outside the workspace

MPTEST_PLUGIN("example_board", "1.0.0", "Worked example: boards simulated by virtual_board",
              mptest::examples::ExampleBoardDriver);
