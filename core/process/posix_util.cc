// Implementation of the POSIX helpers; see posix_util.h.
#include "core/process/posix_util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace mptest::process {

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
}

absl::Status ErrnoStatus(const std::string& what, int error_number) {
  return absl::Status(absl::ErrnoToStatusCode(error_number),
                      absl::StrCat(what, ": ", strerror(error_number)));
}

absl::StatusOr<UniqueFd> PidfdOpen(pid_t pid) {
  long fd = syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) return ErrnoStatus(absl::StrCat("pidfd_open(", pid, ")"), errno);
  return UniqueFd(static_cast<int>(fd));
}

std::vector<int> NonDefaultSignals() {
  std::vector<int> signals;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    struct sigaction current;
    if (sigaction(sig, nullptr, &current) == 0 && current.sa_handler != SIG_DFL) {
      signals.push_back(sig);
    }
  }
  return signals;
}

void PrepareForkedChild(pid_t parent, const std::vector<int>& signals) {
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(128 + SIGKILL);  // the parent died before prctl took effect
  ResetSignalsInChild(signals);
}

void ResetSignalsInChild(const std::vector<int>& signals) {
  struct sigaction default_action;
  memset(&default_action, 0, sizeof(default_action));
  default_action.sa_handler = SIG_DFL;
  for (int sig : signals) sigaction(sig, &default_action, nullptr);
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, nullptr);
}

void CloseDescriptors(int* fds, size_t count) {
  std::sort(fds, fds + count);
  size_t i = 0;
  while (i < count && fds[i] < 0) ++i;  // not descriptors
  while (i < count) {
    const int first = fds[i];
    int last = first;
    while (++i < count && fds[i] <= last + 1) last = std::max(last, fds[i]);
    if (syscall(SYS_close_range, first, last, 0) == 0) continue;
    for (int fd = first; fd <= last; ++fd) close(fd);
  }
}

void CloexecFrom(int first) {
  if (syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
  long max_fd = sysconf(_SC_OPEN_MAX);
  for (int fd = first; fd < max_fd; ++fd) fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int WaitPidRetry(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return status;
}

void KillAndReapGroup(pid_t pgid, int limit_ms) {
  for (int waited_ms = 0;; ++waited_ms) {
    if (kill(-pgid, SIGKILL) != 0 && errno == ESRCH) return;  // nobody left, not even zombies
    int status = 0;
    while (waitpid(-pgid, &status, WNOHANG) > 0) {
    }
    if (waited_ms >= limit_ms) return;
    usleep(1000);
  }
}

bool WriteAll(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace mptest::process
