// The "execpty" board-driver plugin: any command on a pty as a tentacle.
#include "core/api/plugin_sdk.h"
#include "plugins/boards/execpty/execpty_driver.h"

MPTEST_PLUGIN("execpty", "0.1.0",
              "A command on a pty as a tentacle (unix port, qemu -serial pty), like execpty:",
              mptest::boards::ExecPtyDriver);
