// Serial port enumeration for the serial tentacle type: what libserialport reports about each
// USB serial port (VID, PID, serial number, manufacturer, product, bus/address) plus its USB
// bus location ("1-2.3") from sysfs. Behind an interface so tests use a fake enumeration.
#ifndef MPTEST_PLUGINS_BOARDS_SERIAL_PORT_ENUMERATOR_H_
#define MPTEST_PLUGINS_BOARDS_SERIAL_PORT_ENUMERATOR_H_

#include <stdint.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace mptest::boards {

struct UsbPortInfo {
  std::string port;  // the device path, e.g. /dev/ttyACM0
  uint32_t vid = 0;
  uint32_t pid = 0;
  std::string serial;
  std::string manufacturer;
  std::string product;
  int bus = -1;
  int address = -1;
  std::string location;      // USB bus location, e.g. 1-2.3 ("" when unknown)
  std::string sysfs_device;  // the USB device's sysfs directory ("" when unknown)
};

class PortEnumerator {
 public:
  virtual ~PortEnumerator() = default;
  // Every USB serial port present now.
  virtual absl::StatusOr<std::vector<UsbPortInfo>> List() = 0;
};

// The real enumeration: libserialport, with the location and device directory taken from
// <sysfs_root>/class/tty/<name>/device.
class LibSerialPortEnumerator : public PortEnumerator {
 public:
  explicit LibSerialPortEnumerator(std::string sysfs_root = "/sys")
      : sysfs_root_(std::move(sysfs_root)) {}
  absl::StatusOr<std::vector<UsbPortInfo>> List() override;

 private:
  std::string sysfs_root_;
};

// The USB device directory and its bus location ("1-2.3") for a tty name ("ttyACM0"), found
// by resolving <sysfs_root>/class/tty/<tty>/device (an interface directory "1-2.3:1.0") and
// taking its parent. Both empty when the tty is not a USB device.
void UsbLocationFromSysfs(const std::string& sysfs_root, const std::string& tty_name,
                          std::string* device_dir, std::string* location);

}  // namespace mptest::boards

#endif  // MPTEST_PLUGINS_BOARDS_SERIAL_PORT_ENUMERATOR_H_
