// The serial tentacle type (see serial_driver.h).
#include "plugins/boards/serial/serial_driver.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/process/subprocess.h"
#include "plugins/boards/driver_util.h"

namespace mptest::boards {
namespace {

namespace fs = std::filesystem;

std::string Describe(const UsbPortInfo& port) {
  return absl::StrFormat("%s (%04x:%04x serial '%s' location '%s' %s %s)", port.port, port.vid,
                         port.pid, port.serial, port.location, port.manufacturer, port.product);
}

bool Matches(const proto::InventoryEntry& entry, const UsbPortInfo& port) {
  if (!entry.usb_serial().empty()) return port.serial == entry.usb_serial();
  return !entry.usb_location().empty() && port.location == entry.usb_location();
}

std::string Wanted(const proto::InventoryEntry& entry) {
  return entry.usb_serial().empty() ? absl::StrCat("USB location ", entry.usb_location())
                                    : absl::StrCat("USB serial ", entry.usb_serial());
}

absl::Status WriteSysfs(const std::string& path, const std::string& value) {
  std::ofstream out(path);
  out << value;
  out.flush();
  if (!out)
    return absl::PermissionDeniedError(absl::StrCat("cannot write '", value, "' to ", path));
  return absl::OkStatus();
}

}  // namespace

SerialDriver::SerialDriver()
    : SerialDriver(std::make_unique<LibSerialPortEnumerator>(), SerialDriverOptions()) {}

SerialDriver::SerialDriver(std::unique_ptr<PortEnumerator> enumerator, SerialDriverOptions options)
    : enumerator_(std::move(enumerator)), options_(options) {}

absl::StatusOr<UsbPortInfo> SerialDriver::FindPort(const proto::Tentacle& tentacle) {
  const proto::InventoryEntry& entry = tentacle.entry();
  if (entry.usb_serial().empty() && entry.usb_location().empty()) {
    return absl::InvalidArgumentError(absl::StrCat("serial tentacle '", entry.label(),
                                                   "' has neither usb_serial nor usb_location"));
  }
  absl::StatusOr<std::vector<UsbPortInfo>> ports = enumerator_->List();
  if (!ports.ok()) return ports.status();
  std::vector<std::string> seen;
  for (const UsbPortInfo& port : *ports) {
    if (Matches(entry, port)) {
      const proto::UsbId& app = tentacle.board().usb_application();
      const proto::UsbId& boot = tentacle.board().usb_boot();
      bool app_ok = app.vid() == 0 || (port.vid == app.vid() && port.pid == app.pid());
      bool boot_ok = boot.vid() != 0 && port.vid == boot.vid() && port.pid == boot.pid();
      if (!app_ok && !boot_ok) {
        return absl::FailedPreconditionError(absl::StrFormat(
            "serial tentacle '%s': %s has USB id %04x:%04x, but board %s is %04x:%04x",
            entry.label(), port.port, port.vid, port.pid, tentacle.board().name(), app.vid(),
            app.pid()));
      }
      return port;
    }
    seen.push_back(Describe(port));
  }
  return absl::NotFoundError(
      absl::StrCat("serial tentacle '", entry.label(), "': no port with ", Wanted(entry),
                   "; ports seen: ", seen.empty() ? "none" : absl::StrJoin(seen, "; ")));
}

absl::StatusOr<proto::DiscoverResponse> SerialDriver::Discover(
    const proto::DiscoverRequest& request) {
  absl::StatusOr<std::vector<proto::Tentacle>> tentacles = ResolveEntries(request, "serial");
  if (!tentacles.ok()) return tentacles.status();
  proto::DiscoverResponse response;
  for (const proto::Tentacle& tentacle : *tentacles) {
    absl::StatusOr<proto::Tentacle> found = Start(tentacle);
    if (!found.ok()) return found.status();
    *response.add_tentacles() = *found;
  }
  return response;
}

absl::StatusOr<proto::Tentacle> SerialDriver::Start(const proto::Tentacle& tentacle) {
  absl::StatusOr<UsbPortInfo> port = FindPort(tentacle);
  if (!port.ok()) return port.status();
  proto::Tentacle found = tentacle;
  found.set_console(port->port);
  found.set_state("idle");
  auto& runtime = *found.mutable_runtime();
  runtime["usb_serial"] = port->serial;
  runtime["usb_location"] = port->location;
  runtime["usb_bus"] = absl::StrCat(port->bus);
  runtime["usb_address"] = absl::StrCat(port->address);
  runtime["sysfs_device"] = port->sysfs_device;
  // What a REPL client opens the console at (BoardDefinition.baud, 0 = 115200).
  runtime["baud"] = absl::StrCat(tentacle.board().baud() > 0 ? tentacle.board().baud() : 115200);
  return found;
}

absl::Status SerialDriver::WaitForPort(const proto::Tentacle& tentacle, absl::Duration extra) {
  absl::Time deadline = absl::Now() + options_.reappear_timeout + extra;
  absl::Status last;
  do {
    absl::StatusOr<UsbPortInfo> port = FindPort(tentacle);
    if (port.ok()) return absl::OkStatus();
    last = port.status();
    absl::SleepFor(absl::Milliseconds(100));
  } while (absl::Now() < deadline);
  return absl::DeadlineExceededError(absl::StrCat("the port did not come back: ", last.message()));
}

absl::Status SerialDriver::PowerCycle(const proto::Tentacle& tentacle) {
  absl::StatusOr<UsbPortInfo> port = FindPort(tentacle);
  if (!port.ok()) return port.status();
  const std::string disable = absl::StrCat(port->sysfs_device, "/port/disable");
  if (port->sysfs_device.empty() || !fs::exists(disable)) {
    return absl::UnimplementedError(absl::StrCat("serial tentacle '", tentacle.entry().label(),
                                                 "': power cycling skipped: the hub of ",
                                                 port->port, " has no sysfs port 'disable' file"));
  }
  if (absl::Status status = WriteSysfs(disable, "1"); !status.ok()) return status;
  absl::SleepFor(options_.power_off_time);
  if (absl::Status status = WriteSysfs(disable, "0"); !status.ok()) return status;
  return WaitForPort(tentacle, absl::Seconds(tentacle.board().power_on_delay_s()));
}

absl::Status SerialDriver::Flash(const proto::FlashRequest& request) {
  const proto::Tentacle& tentacle = request.tentacle();
  const proto::Programmer& programmer = tentacle.board().programmer();
  if (programmer.argv().empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("board '", tentacle.board().name(), "' defines no programmer argv"));
  }
  absl::StatusOr<UsbPortInfo> port = FindPort(tentacle);
  if (!port.ok()) return port.status();
  absl::StatusOr<std::vector<std::string>> argv = ExpandArgv(
      {programmer.argv().begin(), programmer.argv().end()},
      {{"firmware", request.firmware().path()},
       {"port", port->port},
       {"serial", port->serial},
       {"bus", absl::StrCat(port->bus)},
       {"address", absl::StrCat(port->address)},
       {"location", port->location}},
      absl::StrCat("programmer ", programmer.name(), " of board ", tentacle.board().name()));
  if (!argv.ok()) return argv.status();
  process::CommandOptions command;
  command.argv = *argv;
  command.timeout = absl::Seconds(programmer.timeout_s() > 0 ? programmer.timeout_s() : 60);
  command.stdout_path = request.log_path();
  absl::StatusOr<process::CommandResult> result = process::RunCommand(command);
  if (!result.ok()) {
    return absl::Status(result.status().code(),
                        absl::StrCat("serial tentacle '", tentacle.entry().label(),
                                     "': ", result.status().message()));
  }
  if (!result->ok()) {
    std::string output = result->output;
    if (output.size() > 600) output = "..." + output.substr(output.size() - 600);
    std::string where = request.log_path().empty() ? absl::StrCat(": ", output)
                                                   : absl::StrCat("; log ", request.log_path());
    absl::StatusCode code =
        result->timed_out ? absl::StatusCode::kDeadlineExceeded : absl::StatusCode::kInternal;
    return absl::Status(code, absl::StrCat("serial tentacle '", tentacle.entry().label(), "': ",
                                           programmer.name(), " ", result->Describe(), where));
  }
  return WaitForPort(tentacle, absl::Seconds(tentacle.board().power_on_delay_s()));
}

absl::Status SerialDriver::Stop(const proto::Tentacle&) { return absl::OkStatus(); }

}  // namespace mptest::boards
