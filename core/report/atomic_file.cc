// Crash-safe file writes: temp file + fsync + rename + directory fsync.
#include "core/report/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace mptest::report {
namespace {

absl::Status ErrnoError(int error, absl::string_view what, absl::string_view path) {
  std::string message = absl::StrCat(what, " ", path, ": ", std::strerror(error));
  if (error == ENOSPC || error == EFBIG || error == EDQUOT) {
    absl::StrAppend(&message, " (the disk or the file size limit is full; ", path,
                    " was left unchanged)");
    return absl::ResourceExhaustedError(message);
  }
  return absl::InternalError(message);
}

std::string DirectoryOf(absl::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == absl::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

// Writes `content` as `path` (see WriteFileAtomically) with `mode` (less the umask, and never
// wider than the directory: a file in a 0700 directory is at most 0700).
absl::Status WriteWithMode(const std::string& final_path, absl::string_view content, mode_t mode) {
  // "<path>.tmp-<pid>-<n>": unique to this process and call, so that threads writing the same
  // file do not share a temporary; RemoveStaleTemporaries reads the pid back.
  static std::atomic<uint64_t> calls{0};
  const std::string temp_path = absl::StrCat(final_path, ".tmp-", getpid(), "-", calls++);
  struct stat directory;
  mode = stat(DirectoryOf(final_path).c_str(), &directory) == 0 ? mode & directory.st_mode
                                                                : mode & 0700;
  // A new file only, never through a symlink: a temporary of a dead process with our pid (or
  // anything planted under its name) is removed, not written through.
  const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  int fd = open(temp_path.c_str(), flags, mode);
  if (fd < 0 && errno == EEXIST && unlink(temp_path.c_str()) == 0) {
    fd = open(temp_path.c_str(), flags, mode);
  }
  if (fd < 0) return ErrnoError(errno, "cannot create", temp_path);

  auto fail = [&](int error, absl::string_view what) {
    close(fd);
    unlink(temp_path.c_str());
    return ErrnoError(error, what, final_path);
  };
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(errno, "cannot write");
    }
    written += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) return fail(errno, "cannot fsync");
  if (close(fd) != 0) {
    int error = errno;
    unlink(temp_path.c_str());
    return ErrnoError(error, "cannot close", final_path);
  }
  if (rename(temp_path.c_str(), final_path.c_str()) != 0) {
    int error = errno;
    unlink(temp_path.c_str());
    return ErrnoError(error, "cannot rename into place", final_path);
  }
  // Make the rename itself durable; failing here leaves a complete file, so it is not an error.
  int dir_fd = open(DirectoryOf(final_path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    fsync(dir_fd);
    close(dir_fd);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteFileAtomically(absl::string_view path, absl::string_view content) {
  return WriteWithMode(std::string(path), content, 0666);
}

absl::Status CopyFileAtomically(absl::string_view from, absl::string_view to) {
  const std::string source(from);
  struct stat info;
  if (stat(source.c_str(), &info) != 0) return ErrnoError(errno, "cannot copy", source);
  absl::StatusOr<std::string> content = ReadFile(source);
  if (!content.ok()) return content.status();
  return WriteWithMode(std::string(to), *content, info.st_mode & 0777);
}

std::optional<std::string> TryReadFile(absl::string_view path, size_t max_bytes) {
  absl::StatusOr<std::string> content = ReadFile(path, max_bytes);
  if (!content.ok()) return std::nullopt;
  return *std::move(content);
}

absl::StatusOr<std::string> ReadFile(absl::string_view path, size_t max_bytes) {
  const std::string file(path);
  int fd = open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int error = errno;
    std::string message = absl::StrCat("cannot open ", file, ": ", std::strerror(error));
    return error == ENOENT ? absl::NotFoundError(message) : absl::InternalError(message);
  }
  std::string content;
  char buffer[65536];
  while (true) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      int error = errno;
      close(fd);
      return absl::InternalError(absl::StrCat("cannot read ", file, ": ", std::strerror(error)));
    }
    if (n == 0) break;
    content.append(buffer, std::min(static_cast<size_t>(n), max_bytes - content.size()));
    if (content.size() >= max_bytes) break;
  }
  close(fd);
  return content;
}

absl::Status MakeDirectories(absl::string_view path) {
  std::string partial;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == absl::string_view::npos) slash = path.size();
    partial = std::string(path.substr(0, slash));
    start = slash + 1;
    if (partial.empty()) continue;
    if (mkdir(partial.c_str(), 0777) != 0 && errno != EEXIST) {  // the umask decides
      return absl::InternalError(
          absl::StrCat("cannot create directory ", partial, ": ", std::strerror(errno)));
    }
  }
  struct stat info;
  if (stat(std::string(path).c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(path, " exists and is not a directory"));
  }
  return absl::OkStatus();
}

}  // namespace mptest::report
