// The micropython_make builder as an mptest plugin (libmicropython_make.so).
#include "core/api/plugin_sdk.h"
#include "plugins/builders/micropython_make/micropython_make_builder.h"

MPTEST_PLUGIN("micropython_make", "0.1.0",
              "Builds MicroPython firmware with make from a checkout or a git spec, with a cache",
              mptest::micropython_make::MicropythonMakeBuilder);
