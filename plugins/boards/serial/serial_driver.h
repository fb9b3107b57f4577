// The "serial" tentacle type: real boards on USB serial ports. Inventory entries are matched
// to ports by USB serial number or bus location; flashing runs the board definition's
// programmer (picotool, esptool, dfu-util, bossac, teensy_loader_cli, mpremote, ...) from its
// argv template with a timeout; power cycling writes the USB port's sysfs `disable` file where
// the hub has one, and is Unimplemented (skipped) where not.
#ifndef MPTEST_PLUGINS_BOARDS_SERIAL_SERIAL_DRIVER_H_
#define MPTEST_PLUGINS_BOARDS_SERIAL_SERIAL_DRIVER_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "core/api/board_driver.h"
#include "plugins/boards/serial/port_enumerator.h"

namespace mptest::boards {

struct SerialDriverOptions {
  absl::Duration power_off_time = absl::Seconds(1);     // port disabled this long
  absl::Duration reappear_timeout = absl::Seconds(15);  // port back after flash/power cycle
};

class SerialDriver : public BoardDriver {
 public:
  SerialDriver();  // libserialport and /sys
  SerialDriver(std::unique_ptr<PortEnumerator> enumerator, SerialDriverOptions options);

  // Matches each entry to a port: console = the port, runtime = its USB identity. Errors
  // (NotFound) name the label, what was looked for and the ports that were seen.
  absl::StatusOr<proto::DiscoverResponse> Discover(const proto::DiscoverRequest& request) override;
  // Finds the port again (it may have moved since discovery, e.g. after flashing: call Start
  // again for the current console); the board is always powered. runtime["baud"] is the rate
  // to open the console at.
  absl::StatusOr<proto::Tentacle> Start(const proto::Tentacle& tentacle) override;
  // <usb device>/port/disable: 1, wait, 0, then waits for the port to come back.
  absl::Status PowerCycle(const proto::Tentacle& tentacle) override;
  // Runs board.programmer.argv with {firmware} {port} {serial} {bus} {address} {location}
  // replaced, limited to programmer.timeout_s (0 = 60 s), output to the flash log; then
  // waits for the port to come back.
  absl::Status Flash(const proto::FlashRequest& request) override;
  absl::Status Stop(const proto::Tentacle& tentacle) override;

 private:
  absl::StatusOr<UsbPortInfo> FindPort(const proto::Tentacle& tentacle);
  absl::Status WaitForPort(const proto::Tentacle& tentacle, absl::Duration extra);

  std::unique_ptr<PortEnumerator> enumerator_;
  SerialDriverOptions options_;
};

}  // namespace mptest::boards

#endif  // MPTEST_PLUGINS_BOARDS_SERIAL_SERIAL_DRIVER_H_
