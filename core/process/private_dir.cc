// Private directories: made 0700 and checked before use (see private_dir.h).
#include "core/process/private_dir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace mptest::process {

absl::Status EnsurePrivateDirectory(const std::string& dir) {
  if (dir.empty()) return absl::InvalidArgumentError("private directory: empty path");
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create the private directory ", dir, ": ", strerror(errno)));
  }
  struct stat info;
  if (lstat(dir.c_str(), &info) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(dir, ": ", strerror(errno)));
  }
  std::string problem;
  if (S_ISLNK(info.st_mode)) {
    problem = "is a symbolic link";
  } else if (!S_ISDIR(info.st_mode)) {
    problem = "is not a directory";
  } else if (info.st_uid != geteuid()) {
    problem = absl::StrCat("belongs to uid ", info.st_uid, ", not to uid ", geteuid());
  } else if ((info.st_mode & 077) != 0) {
    problem = absl::StrFormat("has mode %04o (group or others may enter it)", info.st_mode & 07777);
  }
  if (problem.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "refusing to use ", dir, " for mptest's private files: it ", problem,
      " (another user may have made it; remove it, or choose another place with --lock_dir)"));
}

absl::StatusOr<std::string> DefaultPrivateDirectory() {
  const char* runtime = getenv("XDG_RUNTIME_DIR");
  std::string dir = runtime != nullptr && runtime[0] == '/'
                        ? absl::StrCat(runtime, "/mptest")
                        : absl::StrCat("/tmp/mptest-", geteuid());
  if (absl::Status status = EnsurePrivateDirectory(dir); !status.ok()) return status;
  return dir;
}

}  // namespace mptest::process
