// Pseudo-terminal helpers (see pty.h).
#include "core/pty/pty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/process/subprocess.h"

namespace mptest::pty {
namespace {

absl::Status ErrnoError(absl::string_view what, int err) {
  return absl::InternalError(absl::StrCat(what, ": ", strerror(err)));
}

speed_t BaudConstant(int baud) {
  switch (baud) {
    case 9600:
      return B9600;
    case 19200:
      return B19200;
    case 38400:
      return B38400;
    case 57600:
      return B57600;
    case 115200:
      return B115200;
    case 230400:
      return B230400;
    case 460800:
      return B460800;
    case 921600:
      return B921600;
    case 1000000:
      return B1000000;
    case 2000000:
      return B2000000;
    default:
      return 0;
  }
}

// Milliseconds from now until deadline, clamped to [0, INT_MAX]; -1 for an infinite deadline.
int PollTimeoutMs(absl::Time deadline) {
  if (deadline == absl::InfiniteFuture()) return -1;
  absl::Duration left = deadline - absl::Now();
  if (left <= absl::ZeroDuration()) return 0;
  int64_t ms = absl::ToInt64Milliseconds(absl::Ceil(left, absl::Milliseconds(1)));
  return static_cast<int>(std::min<int64_t>(ms, 1 << 30));
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) reset(other.release());
  return *this;
}

int UniqueFd::release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
}

absl::Status SetRawMode(int fd, int baud) {
  termios tio;
  if (tcgetattr(fd, &tio) != 0) return ErrnoError("tcgetattr", errno);
  cfmakeraw(&tio);
  tio.c_cflag |= CLOCAL | CREAD;
  tio.c_cc[VMIN] = 1;
  tio.c_cc[VTIME] = 0;
  if (baud != 0) {
    speed_t speed = BaudConstant(baud);
    if (speed == 0) {
      return absl::InvalidArgumentError(absl::StrCat("unsupported baud rate ", baud));
    }
    cfsetispeed(&tio, speed);
    cfsetospeed(&tio, speed);
  }
  if (tcsetattr(fd, TCSANOW, &tio) != 0) return ErrnoError("tcsetattr", errno);
  return absl::OkStatus();
}

absl::StatusOr<PtyPair> OpenPtyPair() {
  PtyPair pair;
  pair.master.reset(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pair.master.valid()) return ErrnoError("posix_openpt", errno);
  if (grantpt(pair.master.get()) != 0) return ErrnoError("grantpt", errno);
  if (unlockpt(pair.master.get()) != 0) return ErrnoError("unlockpt", errno);
  char name[128];
  if (ptsname_r(pair.master.get(), name, sizeof(name)) != 0) {
    return ErrnoError("ptsname_r", errno);
  }
  pair.slave_path = name;
  pair.slave.reset(open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pair.slave.valid()) return ErrnoError(absl::StrCat("open ", name), errno);
  if (absl::Status status = SetRawMode(pair.slave.get()); !status.ok()) return status;
  return pair;
}

absl::StatusOr<UniqueFd> OpenTty(const std::string& path, int baud) {
  UniqueFd fd(open(path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) return ErrnoError(absl::StrCat("open ", path), errno);
  if (absl::Status status = SetRawMode(fd.get(), baud); !status.ok()) {
    return absl::Status(status.code(), absl::StrCat(path, ": ", status.message()));
  }
  return fd;
}

absl::StatusOr<PtyProcess> SpawnOnPty(const std::vector<std::string>& argv) {
  if (argv.empty()) return absl::InvalidArgumentError("SpawnOnPty: empty argv");
  absl::StatusOr<PtyPair> pair = OpenPtyPair();
  if (!pair.ok()) return pair.status();
  process::CommandOptions options;
  options.argv = argv;
  options.controlling_tty = pair->slave.get();
  absl::StatusOr<process::StartedCommand> started = process::StartCommand(options);
  if (!started.ok()) return started.status();
  PtyProcess process;
  process.pid = started->pid;
  process.master = std::move(pair->master);
  return process;
}

absl::Status WriteAll(int fd, absl::string_view data, absl::Time deadline) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n > 0) {
      data.remove_prefix(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) {
      return absl::UnavailableError(absl::StrCat("write failed, line gone: ", strerror(errno)));
    }
    pollfd pfd = {fd, POLLOUT, 0};
    int ready = poll(&pfd, 1, PollTimeoutMs(deadline));
    if (ready < 0 && errno != EINTR) return ErrnoError("poll", errno);
    if (ready == 0) {
      return absl::DeadlineExceededError(
          absl::StrCat("write timed out with ", data.size(), " bytes not taken"));
    }
    if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) {
      return absl::UnavailableError("write failed: the line hung up");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadSome(int fd, absl::Time deadline, size_t max) {
  std::string buffer(max, '\0');
  for (;;) {
    pollfd pfd = {fd, POLLIN, 0};
    int ready = poll(&pfd, 1, PollTimeoutMs(deadline));
    if (ready < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("poll", errno);
    }
    if (ready == 0) return absl::DeadlineExceededError("no data before the deadline");
    ssize_t n = read(fd, buffer.data(), buffer.size());
    if (n > 0) {
      buffer.resize(n);
      return buffer;
    }
    if (n == 0) return absl::UnavailableError("end of file: the line is gone");
    if (errno == EINTR || errno == EAGAIN) continue;
    return absl::UnavailableError(absl::StrCat("read failed, line gone: ", strerror(errno)));
  }
}

absl::StatusOr<std::string> Drain(int fd, absl::Duration quiet, absl::Time deadline) {
  std::string drained;
  for (;;) {
    absl::Time until = std::min(deadline, absl::Now() + quiet);
    absl::StatusOr<std::string> chunk = ReadSome(fd, until);
    if (absl::IsDeadlineExceeded(chunk.status())) return drained;
    if (!chunk.ok()) return chunk.status();
    drained += *chunk;
    if (absl::Now() >= deadline) return drained;
  }
}

bool LinkDirectoryGone(const std::string& link) {
  size_t slash = link.rfind('/');
  std::string dir = slash == std::string::npos ? "." : link.substr(0, slash);
  if (dir.empty()) dir = "/";
  return access(dir.c_str(), F_OK) != 0 && errno == ENOENT;
}

absl::Status PointLinkAt(const std::string& link, const std::string& target) {
  std::string temporary = absl::StrCat(link, ".new");
  unlink(temporary.c_str());
  if (symlink(target.c_str(), temporary.c_str()) != 0 ||
      rename(temporary.c_str(), link.c_str()) != 0) {
    return absl::InternalError(
        absl::StrCat("cannot link ", link, " -> ", target, ": ", strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace mptest::pty
