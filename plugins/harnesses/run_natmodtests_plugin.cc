// The run_natmodtests harness plugin: tests/run-natmodtests.py.
#include "core/api/plugin_sdk.h"
#include "plugins/harnesses/plugins.h"

MPTEST_PLUGIN("run_natmodtests", "0.1.0", "Runs tests/run-natmodtests.py",
              mptest::harnesses::RunNatmodtestsHarness);
