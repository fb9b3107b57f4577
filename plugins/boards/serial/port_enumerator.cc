// Serial port enumeration through libserialport and sysfs (see port_enumerator.h).
#include "plugins/boards/serial/port_enumerator.h"

#include <libserialport.h>

#include <filesystem>

#include "absl/strings/str_cat.h"

namespace mptest::boards {
namespace {

namespace fs = std::filesystem;

std::string OrEmpty(const char* text) { return text ? text : ""; }

}  // namespace

void UsbLocationFromSysfs(const std::string& sysfs_root, const std::string& tty_name,
                          std::string* device_dir, std::string* location) {
  device_dir->clear();
  location->clear();
  std::error_code error;
  fs::path interface =
      fs::canonical(fs::path(sysfs_root) / "class/tty" / tty_name / "device", error);
  if (error) return;
  std::string name = interface.filename().string();  // "1-2.3:1.0"
  size_t colon = name.find(':');
  if (colon == std::string::npos) return;  // not a USB interface
  fs::path device = interface.parent_path();
  if (device.filename().string() != name.substr(0, colon)) return;
  *device_dir = device.string();
  *location = name.substr(0, colon);
}

absl::StatusOr<std::vector<UsbPortInfo>> LibSerialPortEnumerator::List() {
  sp_port** ports = nullptr;
  if (sp_list_ports(&ports) != SP_OK) {
    char* message = sp_last_error_message();
    std::string text = OrEmpty(message);
    sp_free_error_message(message);
    return absl::UnavailableError(absl::StrCat("libserialport cannot list ports: ", text));
  }
  std::vector<UsbPortInfo> found;
  for (int i = 0; ports[i] != nullptr; ++i) {
    sp_port* port = ports[i];
    if (sp_get_port_transport(port) != SP_TRANSPORT_USB) continue;
    UsbPortInfo info;
    info.port = OrEmpty(sp_get_port_name(port));
    int vid = 0, pid = 0;
    if (sp_get_port_usb_vid_pid(port, &vid, &pid) == SP_OK) {
      info.vid = vid;
      info.pid = pid;
    }
    info.serial = OrEmpty(sp_get_port_usb_serial(port));
    info.manufacturer = OrEmpty(sp_get_port_usb_manufacturer(port));
    info.product = OrEmpty(sp_get_port_usb_product(port));
    sp_get_port_usb_bus_address(port, &info.bus, &info.address);
    UsbLocationFromSysfs(sysfs_root_, fs::path(info.port).filename().string(), &info.sysfs_device,
                         &info.location);
    found.push_back(std::move(info));
  }
  sp_free_port_list(ports);
  return found;
}

}  // namespace mptest::boards
