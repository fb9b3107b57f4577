// The native harness plugin: test files run over one raw-REPL connection per board.
#include "core/api/plugin_sdk.h"
#include "plugins/harnesses/native_harness.h"

MPTEST_PLUGIN("native", "0.1.0",
              "Runs MicroPython test files itself over raw paste, with run-tests.py's verdicts",
              mptest::harnesses::NativeHarness);
