// The "virtual" builder plugin: firmware images for virtual boards.
#include "core/api/plugin_sdk.h"
#include "plugins/builders/virtual/virtual_builder.h"

MPTEST_PLUGIN("virtual", "0.1.0", "Firmware images for virtual boards (firmware/)",
              mptest::builders::VirtualBuilder);
