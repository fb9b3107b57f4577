// The "serial" board-driver plugin: real boards on USB serial ports (libserialport).
#include "core/api/plugin_sdk.h"
#include "plugins/boards/serial/serial_driver.h"

MPTEST_PLUGIN("serial", "0.1.0",
              "Real boards on USB serial ports: match by serial/location, programmers, sysfs power",
              mptest::boards::SerialDriver);
