// The USB-error watchdog's child process and line reader (see usb_watchdog.h).
#include "tools/cli/usb_watchdog.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/process/subprocess.h"

namespace mptest::cli {
namespace {

std::string Describe(int wait_status) {
  if (WIFEXITED(wait_status)) return absl::StrCat("exited ", WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) return absl::StrCat("killed by signal ", WTERMSIG(wait_status));
  return "ended";
}

}  // namespace

bool IsUsbError(absl::string_view line) {
  for (absl::string_view pattern : kUsbErrorPatterns) {
    if (absl::StrContains(line, pattern)) return true;
  }
  return false;
}

absl::StatusOr<UsbWatchdogMode> ParseUsbWatchdogMode(absl::string_view flag_value) {
  if (flag_value == "auto") return UsbWatchdogMode::kAuto;
  if (flag_value == "on") return UsbWatchdogMode::kOn;
  if (flag_value == "off") return UsbWatchdogMode::kOff;
  return absl::InvalidArgumentError(
      absl::StrCat("--usb_watchdog: expected auto, on or off, got '", flag_value, "'"));
}

bool UsbWatchdogWanted(UsbWatchdogMode mode, const std::vector<proto::InventoryEntry>& tentacles) {
  if (mode != UsbWatchdogMode::kAuto) return mode == UsbWatchdogMode::kOn;
  for (const proto::InventoryEntry& entry : tentacles) {
    if (entry.type() == "serial") return true;
  }
  return false;
}

absl::StatusOr<std::unique_ptr<UsbWatchdog>> UsbWatchdog::Start(const UsbWatchdogOptions& options) {
  std::vector<std::string> words = absl::StrSplit(options.command, ' ', absl::SkipWhitespace());
  if (words.empty()) return absl::InvalidArgumentError("--usb_log_command: empty command");
  const std::string name = absl::StrCat("the USB log command '", options.command, "'");
  int log_fd = open(options.log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    return absl::UnavailableError(
        absl::StrCat(options.log_path, ": cannot be written: ", strerror(errno)));
  }
  process::CommandOptions command;
  command.argv = std::move(words);
  absl::StatusOr<process::StartedCommand> started = process::StartCommand(command);
  if (!started.ok()) {
    close(log_fd);
    return absl::FailedPreconditionError(
        absl::StrCat(name, " cannot be started: ", started.status().message()));
  }
  fcntl(started->output_fd, F_SETFL, fcntl(started->output_fd, F_GETFL) | O_NONBLOCK);
  std::unique_ptr<UsbWatchdog> watchdog(
      new UsbWatchdog(options, started->pid, started->output_fd, log_fd));
  // The startup window: a command that ends or says it sees no kernel log cannot watch.
  const absl::Time deadline = absl::Now() + options.startup;
  while (!watchdog->reaped_ && watchdog->cannot_watch_.empty() && absl::Now() < deadline) {
    watchdog->AwaitOutput(deadline - absl::Now());
    watchdog->Serve();
  }
  std::string failure;
  if (!watchdog->cannot_watch_.empty()) {
    failure = absl::StrCat("it printed: ", watchdog->cannot_watch_);
  } else if (watchdog->reaped_) {
    failure = absl::StrCat("it ", Describe(watchdog->wait_status_), " at once");
  }
  if (!failure.empty()) {
    watchdog->Stop();
    return absl::FailedPreconditionError(
        absl::StrCat(name, " cannot watch the kernel log: ", failure));
  }
  return watchdog;
}

UsbWatchdog::UsbWatchdog(UsbWatchdogOptions options, pid_t pid, int output_fd, int log_fd)
    : options_(std::move(options)), pid_(pid), output_fd_(output_fd), log_fd_(log_fd) {}

void UsbWatchdog::AwaitOutput(absl::Duration timeout) {
  // After the end of its output only the command's exit is awaited: a short nap, not a spin.
  const int millis = static_cast<int>(
      std::clamp<int64_t>(absl::ToInt64Milliseconds(timeout), 0, output_ended_ ? 5 : 1000));
  pollfd fd = {output_fd_, POLLIN, 0};
  poll(&fd, output_ended_ ? 0 : 1, millis);
}

void UsbWatchdog::Serve() {
  char buffer[4096];
  while (!output_ended_) {
    ssize_t got = read(output_fd_, buffer, sizeof(buffer));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && errno == EAGAIN) break;
    if (got <= 0) {  // every writer is gone: the command ended, or is ending
      output_ended_ = true;
      if (!pending_.empty()) HandleLine(pending_);
      pending_.clear();
      break;
    }
    pending_.append(buffer, static_cast<size_t>(got));
    size_t newline;
    while ((newline = pending_.find('\n')) != std::string::npos) {
      HandleLine(pending_.substr(0, newline));
      pending_.erase(0, newline + 1);
    }
  }
  if (reaped_) return;
  // Reaped only once it has exited (never blocking), and only after what is left of its group
  // was killed, so that its pid (the group's id) cannot be reused before that.
  siginfo_t info = {};
  if (waitid(P_PID, pid_, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid != pid_) {
    return;
  }
  kill(-pid_, SIGKILL);
  while (waitpid(pid_, &wait_status_, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
}

void UsbWatchdog::HandleLine(const std::string& line) {
  std::string copy = absl::StrCat(line, "\n");
  const char* data = copy.data();
  size_t left = copy.size();
  while (left > 0) {
    ssize_t wrote = write(log_fd_, data, left);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) break;  // a full disk: the watchdog still watches
    data += wrote;
    left -= static_cast<size_t>(wrote);
  }
  std::string text(absl::StripTrailingAsciiWhitespace(line));
  if (IsUsbError(text)) usb_errors_.push_back(text);
  for (absl::string_view pattern : kCannotWatchPatterns) {
    if (cannot_watch_.empty() && absl::StrContains(text, pattern)) cannot_watch_ = text;
  }
}

std::vector<std::string> UsbWatchdog::TakeUsbErrors() {
  if (!stopped_) Serve();
  return std::exchange(usb_errors_, {});
}

std::string UsbWatchdog::TakeEndedNote() {
  if (!stopped_) Serve();
  if (!reaped_ || stopping_ || ended_note_taken_) return "";
  ended_note_taken_ = true;
  return absl::StrCat("the USB log command '", options_.command, "' ", Describe(wait_status_),
                      ": USB errors are no longer watched");
}

bool UsbWatchdog::AwaitReaped(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  for (Serve(); !reaped_ && absl::Now() < deadline; Serve()) AwaitOutput(deadline - absl::Now());
  return reaped_;
}

void UsbWatchdog::Signal(int signal_number) {
  // Until the command is reaped its pid, the group's id, cannot be reused.
  if (!reaped_) kill(-pid_, signal_number);
}

void UsbWatchdog::Stop() {
  if (stopped_) return;
  stopping_ = true;
  Signal(SIGTERM);
  if (!AwaitReaped(options_.stop_grace)) {
    Signal(SIGKILL);
    AwaitReaped(options_.stop_grace);
  }
  if (!reaped_) {  // SIGKILLed above, but its output pipe is held by an escaped grandchild
    while (waitpid(pid_, &wait_status_, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
  }
  stopped_ = true;
  for (int fd : {output_fd_, log_fd_}) close(fd);
}

}  // namespace mptest::cli
