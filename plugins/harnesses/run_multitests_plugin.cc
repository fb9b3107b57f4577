// The run_multitests harness plugin: tests/run-multitests.py on two tentacles.
#include "core/api/plugin_sdk.h"
#include "plugins/harnesses/plugins.h"

MPTEST_PLUGIN("run_multitests", "0.1.0",
              "Runs tests/run-multitests.py with instance0 and instance1",
              mptest::harnesses::RunMultitestsHarness);
