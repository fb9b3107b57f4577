// FileLock; see file_lock.h.
#include "core/gitspec/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace mptest {
namespace {

// The lock file, opened without following a symlink and checked to be a regular file; with
// `must_own`, this user's own with one link (so what is written into it can only be ours).
absl::StatusOr<int> OpenLockFile(const std::string& path, bool must_own) {
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot open lock file ", path, ": ", std::strerror(errno)));
  }
  struct stat info;
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode) ||
      (must_own && (info.st_uid != geteuid() || info.st_nlink != 1))) {
    close(fd);
    return absl::FailedPreconditionError(
        absl::StrCat("refusing to use lock file ", path, ": it is not a regular file",
                     must_own ? " of this user with one link" : "", " (remove it if it is stale)"));
  }
  return fd;
}

}  // namespace

absl::StatusOr<FileLock> FileLock::Acquire(const std::string& path) {
  absl::StatusOr<int> fd = OpenLockFile(path, /*must_own=*/false);
  if (!fd.ok()) return fd.status();
  while (flock(*fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      const int error = errno;
      close(*fd);
      return absl::InternalError(absl::StrCat("cannot lock ", path, ": ", std::strerror(error)));
    }
  }
  return FileLock(*fd);
}

absl::StatusOr<FileLock> FileLock::TryAcquire(const std::string& path, const std::string& holder) {
  absl::StatusOr<int> fd = OpenLockFile(path, /*must_own=*/true);
  if (!fd.ok()) return fd.status();
  if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    char text[256];
    const ssize_t n = error == EWOULDBLOCK ? pread(*fd, text, sizeof(text), 0) : -1;
    close(*fd);
    if (error != EWOULDBLOCK) {
      return absl::InternalError(absl::StrCat("cannot lock ", path, ": ", std::strerror(error)));
    }
    std::string line(text, n > 0 ? static_cast<size_t>(n) : 0);
    line = line.substr(0, line.find('\n'));
    return absl::FailedPreconditionError(
        absl::StrCat("held by ", line.empty() ? "an unknown process" : absl::CHexEscape(line)));
  }
  const std::string content = absl::StrCat(holder, "\n");
  if (ftruncate(*fd, 0) != 0 ||
      pwrite(*fd, content.data(), content.size(), 0) != static_cast<ssize_t>(content.size())) {
    const int error = errno;
    close(*fd);
    return absl::InternalError(
        absl::StrCat("cannot write lock file ", path, ": ", std::strerror(error)));
  }
  return FileLock(*fd);
}

absl::StatusOr<FileLock> FileLock::TryLockDirectory(const std::string& dir) {
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open directory ", dir, ": ", std::strerror(errno)));
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    close(fd);
    if (error == EWOULDBLOCK) return absl::FailedPreconditionError("held");
    return absl::InternalError(absl::StrCat("cannot lock ", dir, ": ", std::strerror(error)));
  }
  return FileLock(fd);
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

FileLock::~FileLock() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace mptest
