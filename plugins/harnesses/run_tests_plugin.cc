// The run_tests harness plugin: MicroPython's tests/run-tests.py.
#include "core/api/plugin_sdk.h"
#include "plugins/harnesses/plugins.h"

MPTEST_PLUGIN("run_tests", "0.1.0", "Runs tests/run-tests.py; verdicts from _results.json",
              mptest::harnesses::RunTestsHarness);
