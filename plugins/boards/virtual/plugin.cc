// The "virtual" plugin: the virtual tentacle type (board driver) and the builder of its
// firmware images, so `type: "virtual"` tentacles and `port: "virtual"` boards need one plugin.
#include "core/api/plugin_sdk.h"
#include "plugins/boards/virtual/virtual_driver.h"
#include "plugins/builders/virtual/virtual_builder.h"

MPTEST_PLUGIN("virtual", "0.1.0",
              "Virtual MicroPython boards on ptys with fault injection, and their firmware images",
              mptest::boards::VirtualBoardDriver, mptest::builders::VirtualBuilder);
