// The USB-error watchdog (the anchor's journalctl watchdog, OP util_journalctl.py): a log-follow
// command (journalctl on the kernel log by default) runs in a child process of its own process
// group; every line it prints is copied to <testresults>/journalctl.txt, and lines that show a
// failing USB bus are handed to the caller, which ends the campaign as an infrastructure error
// (or only warns, with --debug_skip_usb_error). The child is stopped and reaped by Stop() or the
// destructor. It has no thread: its owner reads it between other work (TakeUsbErrors), so that
// no thread runs when mptest forks.
#ifndef MPTEST_TOOLS_CLI_USB_WATCHDOG_H_
#define MPTEST_TOOLS_CLI_USB_WATCHDOG_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/proto/board.pb.h"

namespace mptest::cli {

// Kernel messages of a USB bus in trouble (the anchor's patterns); a line containing one of
// them is a USB error. The one list of them.
inline constexpr absl::string_view kUsbErrorPatterns[] = {
    "Not enough bandwidth", "can't set config", "device not accepting address", "config failed",
    "reset high-speed USB device"};
bool IsUsbError(absl::string_view line);

// What the log command prints when it cannot show the kernel log (journalctl without journal
// files or without permission to read them).
inline constexpr absl::string_view kCannotWatchPatterns[] = {
    "No journal files were found", "No journal files were opened", "insufficient permissions",
    "not seeing messages from other users"};

inline constexpr char kDefaultUsbLogCommand[] =
    "journalctl --follow --lines=0 --output=short-iso -k";

// --usb_watchdog: auto = on when a selected tentacle is real hardware (driver type "serial"),
// off for the virtual lab and execpty; on = a command that cannot watch is a usage error.
enum class UsbWatchdogMode { kAuto, kOn, kOff };
absl::StatusOr<UsbWatchdogMode> ParseUsbWatchdogMode(absl::string_view flag_value);
bool UsbWatchdogWanted(UsbWatchdogMode mode, const std::vector<proto::InventoryEntry>& tentacles);

struct UsbWatchdogOptions {
  // The command, split on spaces (no shell); argv[0] is looked up on PATH.
  std::string command = kDefaultUsbLogCommand;
  std::string log_path;  // every line goes here (created or truncated)
  // After starting, how long Start() watches for the command ending or printing one of
  // kCannotWatchPatterns: either means it cannot watch, and Start() fails.
  absl::Duration startup = absl::Milliseconds(300);
  absl::Duration stop_grace = absl::Seconds(2);  // SIGTERM to SIGKILL
};

class UsbWatchdog {
 public:
  // Starts the command. An error (naming the command and why) when it cannot be started, ends
  // within the startup window, or says it cannot show the log; nothing is left running then.
  static absl::StatusOr<std::unique_ptr<UsbWatchdog>> Start(const UsbWatchdogOptions& options);
  UsbWatchdog(const UsbWatchdog&) = delete;
  UsbWatchdog& operator=(const UsbWatchdog&) = delete;
  ~UsbWatchdog() { Stop(); }

  // The USB-error lines seen since the last call, in order. Reads what the command printed
  // first, without blocking: the watchdog has no thread of its own (none may run while the
  // campaign forks), its owner calls this from its loop.
  std::vector<std::string> TakeUsbErrors();
  // Once, after the command ended by itself: why, and that USB errors are no longer watched.
  // "" otherwise. Reads what is ready first, like TakeUsbErrors.
  std::string TakeEndedNote();
  // SIGTERM to the command's process group, SIGKILL after stop_grace, and reaps it.
  // Idempotent.
  void Stop();

  pid_t pid() const { return pid_; }

 private:
  UsbWatchdog(UsbWatchdogOptions options, pid_t pid, int output_fd, int log_fd);
  // Reads what the command printed (never blocking), copies and classifies each whole line;
  // reaps the command once its output ended and it has exited.
  void Serve();
  // Waits up to `timeout` for output (after its end, a few milliseconds for the exit).
  void AwaitOutput(absl::Duration timeout);
  void HandleLine(const std::string& line);
  // Sends the signal to the command's process group unless it was reaped.
  void Signal(int signal_number);
  // Serves until the command was reaped or `timeout` passed; true if reaped.
  bool AwaitReaped(absl::Duration timeout);

  const UsbWatchdogOptions options_;
  const pid_t pid_;
  const int output_fd_;  // the command's stdout and stderr (non-blocking)
  const int log_fd_;     // journalctl.txt
  std::string pending_;  // a line not yet ended
  std::vector<std::string> usb_errors_;
  std::string cannot_watch_;  // the first such line
  bool output_ended_ = false;
  bool reaped_ = false;
  bool stopping_ = false;
  bool stopped_ = false;
  bool ended_note_taken_ = false;
  int wait_status_ = 0;
};

}  // namespace mptest::cli

#endif  // MPTEST_TOOLS_CLI_USB_WATCHDOG_H_
