// The run_perfbench harness plugin: tests/run-perfbench.py N M.
#include "core/api/plugin_sdk.h"
#include "plugins/harnesses/plugins.h"

MPTEST_PLUGIN("run_perfbench", "0.1.0", "Runs tests/run-perfbench.py with the board's N M",
              mptest::harnesses::RunPerfbenchHarness);
