// The prebuilt builder as an mptest plugin (libprebuilt.so).
#include "core/api/plugin_sdk.h"
#include "plugins/builders/prebuilt/prebuilt_builder.h"

MPTEST_PLUGIN("prebuilt", "0.1.0",
              "Takes firmware from files the user names (release downloads, distribution "
              "packages) and reads their version from the image",
              mptest::builders::PrebuiltBuilder);
