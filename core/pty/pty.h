// Pseudo-terminal helpers: open a pty pair, put a tty into raw mode, spawn a command whose
// console (stdin, stdout, stderr) is a pty, and read/write a descriptor with a deadline.
// Used by the virtual board (firmware/), the REPL client (core/repl/) and the board drivers.
#ifndef MPTEST_CORE_PTY_PTY_H_
#define MPTEST_CORE_PTY_PTY_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mptest::pty {

// Owns a file descriptor; closes it on destruction. Movable, not copyable.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release();
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// A pty pair: the master end (the side a board or relay drives) and the slave end (the
// tty path a REPL client opens).
struct PtyPair {
  UniqueFd master;
  UniqueFd slave;
  std::string slave_path;  // e.g. /dev/pts/7
};

// Opens a new pty pair (O_CLOEXEC on both ends) with the slave already in raw mode.
absl::StatusOr<PtyPair> OpenPtyPair();

// Puts the terminal behind fd into raw mode: no echo, no line editing, no CR/LF translation,
// no signals from control characters, 8-bit bytes. baud = 0 leaves the speed unchanged.
absl::Status SetRawMode(int fd, int baud = 0);

// Opens a tty (a pty slave or a serial device) for reading and writing, O_NOCTTY|O_CLOEXEC,
// and sets it raw.
absl::StatusOr<UniqueFd> OpenTty(const std::string& path, int baud = 0);

// A command running with a pty as its console.
struct PtyProcess {
  pid_t pid = -1;
  UniqueFd master;  // the host's end of the command's console
};

// Starts argv (argv[0] looked up on PATH when it has no '/'; never through a shell) in a new
// session whose controlling terminal, stdin, stdout and stderr are a fresh pty slave set raw.
// The child gets SIGKILL if the calling thread dies. The caller reaps the pid. (It is
// process::StartCommand with the slave as controlling_tty.)
absl::StatusOr<PtyProcess> SpawnOnPty(const std::vector<std::string>& argv);

// Writes all of data to fd before deadline (fd may be non-blocking). DeadlineExceeded if the
// peer does not take the bytes in time, Unavailable if the line is gone (EIO, EPIPE).
absl::Status WriteAll(int fd, absl::string_view data, absl::Time deadline);

// Waits until fd is readable or deadline passes, then reads what is there (up to max bytes).
// Returns the bytes (never empty), DeadlineExceeded when nothing arrived in time, or
// Unavailable when the line is gone (end of file, EIO or hang-up).
absl::StatusOr<std::string> ReadSome(int fd, absl::Time deadline, size_t max = 4096);

// Reads and discards whatever arrives until the line has been quiet for `quiet` or deadline
// passes. Returns the discarded bytes. Unavailable if the line is gone.
absl::StatusOr<std::string> Drain(int fd, absl::Duration quiet, absl::Time deadline);

// True when the directory holding `link` no longer exists: a console server whose state
// directory was removed (a finished test's tmpdir, a deleted campaign) has no one to serve.
bool LinkDirectoryGone(const std::string& link);

// Makes `link` a symlink to `target`, atomically replacing what was there.
absl::Status PointLinkAt(const std::string& link, const std::string& target);

}  // namespace mptest::pty

#endif  // MPTEST_CORE_PTY_PTY_H_
