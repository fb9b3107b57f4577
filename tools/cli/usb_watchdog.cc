// The USB-error watchdog's child process and line reader (see usb_watchdog.h).
#include "tools/cli/usb_watchdog.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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
  int wake[2] = {-1, -1};
  if (started.ok() && pipe2(wake, O_CLOEXEC) != 0) {
    int saved = errno;
    kill(-started->pid, SIGKILL);
    while (waitpid(started->pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    close(started->output_fd);
    started = absl::InternalError(absl::StrCat("pipe2: ", strerror(saved)));
  }
  if (!started.ok()) {
    close(log_fd);
    return absl::FailedPreconditionError(
        absl::StrCat(name, " cannot be started: ", started.status().message()));
  }
  std::unique_ptr<UsbWatchdog> watchdog(
      new UsbWatchdog(options, started->pid, started->output_fd, log_fd, wake[0], wake[1]));
  // The startup window: a command that ends or says it sees no kernel log cannot watch.
  absl::Time deadline = absl::Now() + options.startup;
  std::string failure;
  {
    absl::MutexLock lock(&watchdog->mutex_);
    bool (*failed)(UsbWatchdog*) = [](UsbWatchdog* self) {
      self->mutex_.AssertReaderHeld();
      return self->reaped_ || !self->cannot_watch_.empty();
    };
    watchdog->mutex_.AwaitWithDeadline(absl::Condition(failed, watchdog.get()), deadline);
    if (!watchdog->cannot_watch_.empty()) {
      failure = absl::StrCat("it printed: ", watchdog->cannot_watch_);
    } else if (watchdog->reaped_) {
      failure = absl::StrCat("it ", Describe(watchdog->wait_status_), " at once");
    }
  }
  if (!failure.empty()) {
    watchdog->Stop();
    return absl::FailedPreconditionError(
        absl::StrCat(name, " cannot watch the kernel log: ", failure));
  }
  return watchdog;
}

UsbWatchdog::UsbWatchdog(UsbWatchdogOptions options, pid_t pid, int output_fd, int log_fd,
                         int wake_read_fd, int wake_write_fd)
    : options_(std::move(options)),
      pid_(pid),
      output_fd_(output_fd),
      log_fd_(log_fd),
      wake_read_fd_(wake_read_fd),
      wake_write_fd_(wake_write_fd) {
  reader_ = std::thread([this] { ReadLoop(); });
}

void UsbWatchdog::ReadLoop() {
  std::string pending;
  char buffer[4096];
  while (true) {
    pollfd fds[2] = {{output_fd_, POLLIN, 0}, {wake_read_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents != 0) return;  // Stop(): it reaps
    ssize_t got = read(output_fd_, buffer, sizeof(buffer));
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got <= 0) break;  // every writer is gone: the command ended
    pending.append(buffer, static_cast<size_t>(got));
    size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      HandleLine(pending.substr(0, newline));
      pending.erase(0, newline + 1);
    }
  }
  if (!pending.empty()) HandleLine(pending);
  // Wait for the command without reaping it, so its pid (the group's id) cannot be reused while
  // what is left of its group is killed; then reap it.
  siginfo_t info;
  while (waitid(P_PID, pid_, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
  }
  kill(-pid_, SIGKILL);
  absl::MutexLock lock(&mutex_);  // Signal() signals only while the pid is unreaped
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  wait_status_ = status;
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
  absl::MutexLock lock(&mutex_);
  if (IsUsbError(text)) usb_errors_.push_back(text);
  for (absl::string_view pattern : kCannotWatchPatterns) {
    if (cannot_watch_.empty() && absl::StrContains(text, pattern)) cannot_watch_ = text;
  }
}

std::vector<std::string> UsbWatchdog::TakeUsbErrors() {
  absl::MutexLock lock(&mutex_);
  return std::exchange(usb_errors_, {});
}

std::string UsbWatchdog::TakeEndedNote() {
  absl::MutexLock lock(&mutex_);
  if (!reaped_ || stopping_ || ended_note_taken_) return "";
  ended_note_taken_ = true;
  return absl::StrCat("the USB log command '", options_.command, "' ", Describe(wait_status_),
                      ": USB errors are no longer watched");
}

bool UsbWatchdog::AwaitReaped(absl::Duration timeout) {
  absl::MutexLock lock(&mutex_);
  mutex_.AwaitWithTimeout(absl::Condition(&reaped_), timeout);
  return reaped_;
}

void UsbWatchdog::Signal(int signal_number) {
  // Until the command is reaped its pid, the group's id, cannot be reused.
  absl::MutexLock lock(&mutex_);
  if (!reaped_) kill(-pid_, signal_number);
}

void UsbWatchdog::Stop() {
  if (stopped_) return;
  stopped_ = true;
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  Signal(SIGTERM);
  if (!AwaitReaped(options_.stop_grace)) {
    Signal(SIGKILL);
    AwaitReaped(options_.stop_grace);
  }
  // The reader is either done (it reaped) or blocked in poll: wake it.
  char byte = 0;
  (void)!write(wake_write_fd_, &byte, 1);
  reader_.join();
  bool reaped;
  {
    absl::MutexLock lock(&mutex_);
    reaped = reaped_;
  }
  if (!reaped) {  // SIGKILLed above, but its output pipe is held by an escaped grandchild
    int status;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  for (int fd : {output_fd_, log_fd_, wake_read_fd_, wake_write_fd_}) close(fd);
}

}  // namespace mptest::cli
