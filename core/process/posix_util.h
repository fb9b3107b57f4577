// Small POSIX helpers shared by RunCommand and Pcall: an owning file descriptor, pidfds, the
// child-side setup after fork, and status decoding. Internal to core/process.
#ifndef MPTEST_CORE_PROCESS_POSIX_UTIL_H_
#define MPTEST_CORE_PROCESS_POSIX_UTIL_H_

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace mptest::process {

// Owns one file descriptor; closes it on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// A status carrying errno's text: "<what>: <strerror(errno)>".
absl::Status ErrnoStatus(const std::string& what, int error_number);

// pidfd_open(2) through syscall(2): a descriptor that becomes readable when the process exits
// and pins its pid until it is reaped. Close-on-exec (pidfd_open always sets it).
absl::StatusOr<UniqueFd> PidfdOpen(pid_t pid);

// The signals whose disposition is not SIG_DFL in this process (handled or ignored). Query in
// the parent before fork; the child resets exactly these.
std::vector<int> NonDefaultSignals();

// Async-signal-safe setup for a freshly forked child, called before anything else runs in it:
// own process group, SIGKILL when the parent thread dies (and an exit if the parent is already
// gone), SIG_DFL for each of `signals` (from NonDefaultSignals()), empty signal mask. `parent`
// is the parent's pid taken before fork.
void PrepareForkedChild(pid_t parent, const std::vector<int>& signals);

// The signal part of PrepareForkedChild alone: SIG_DFL for each of `signals`, empty signal
// mask. Async-signal-safe.
void ResetSignalsInChild(const std::vector<int>& signals);

// Closes fds[0..count) (negative entries ignored): sorts them in place, then one close_range per
// run of consecutive numbers (close() each where close_range is missing). No allocation:
// async-signal-safe.
void CloseDescriptors(int* fds, size_t count);

// Marks every descriptor from `first` upward close-on-exec (close_range with
// CLOSE_RANGE_CLOEXEC). Async-signal-safe.
void CloexecFrom(int first);

// Reaps `pid`, retrying on EINTR. Returns the wait status, or -1 with errno set.
int WaitPidRetry(pid_t pid);

// Ends what is left of process group `pgid` after its leader has been reaped: SIGKILL to the
// group, then reaps every member that is (or, through the child subreaper, becomes) this
// process's child, until the group is gone or `limit` passes. Members that are not our
// children are only signalled.
void KillAndReapGroup(pid_t pgid, int limit_ms);

// Writes all of `size` bytes, retrying on EINTR and short writes. Blocking descriptors only.
bool WriteAll(int fd, const void* data, size_t size);

}  // namespace mptest::process

#endif  // MPTEST_CORE_PROCESS_POSIX_UTIL_H_
