// Results directory handling and the campaign lock (see results_dir.h).
#include "tools/cli/results_dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "core/gitspec/stable_hash.h"

namespace mptest::cli {
namespace {

bool IsEmptyDir(const std::string& dir) {
  DIR* handle = opendir(dir.c_str());
  if (handle == nullptr) return false;
  bool empty = true;
  while (dirent* entry = readdir(handle)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") empty = false;
  }
  closedir(handle);
  return empty;
}

absl::Status WriteMarker(const std::string& dir) {
  std::ofstream marker(absl::StrCat(dir, "/", kResultsMarker));
  marker << "mptest results directory, created "
         << absl::FormatTime("%Y-%m-%d_%H-%M-%S", absl::Now(), absl::LocalTimeZone()) << "\n";
  if (!marker) return absl::PermissionDeniedError(absl::StrCat(dir, ": cannot write the marker"));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> PrepareResultsDir(const std::string& dir_in) {
  std::string dir(absl::StripSuffix(dir_in, "/"));
  struct stat info;
  std::string moved;
  if (stat(dir.c_str(), &info) == 0) {
    if (!S_ISDIR(info.st_mode)) {
      return absl::FailedPreconditionError(
          absl::StrCat("--testresults: ", dir, " exists and is not a directory"));
    }
    std::string marker = absl::StrCat(dir, "/", kResultsMarker);
    if (stat(marker.c_str(), &info) == 0) {
      std::string stamp =
          absl::FormatTime("%Y%m%d-%H%M%S", absl::FromTimeT(info.st_mtime), absl::LocalTimeZone());
      moved = absl::StrCat(dir, ".", stamp);
      for (int n = 2; stat(moved.c_str(), &info) == 0; ++n) {
        moved = absl::StrCat(dir, ".", stamp, "-", n);
      }
      if (rename(dir.c_str(), moved.c_str()) != 0) {
        return absl::PermissionDeniedError(absl::StrCat(
            "--testresults: cannot move ", dir, " aside to ", moved, ": ", strerror(errno)));
      }
    } else if (!IsEmptyDir(dir)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "--testresults: ", dir, " is not empty and is not an mptest results directory (no ",
          kResultsMarker, "); refusing to touch it"));
    }
  }
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return absl::PermissionDeniedError(
        absl::StrCat("--testresults: cannot create ", dir, ": ", strerror(errno)));
  }
  if (absl::Status status = WriteMarker(dir); !status.ok()) return status;
  return moved;
}

absl::StatusOr<CampaignLock> CampaignLock::Acquire(const std::string& inventory_path,
                                                   const std::string& lock_dir) {
  char resolved[PATH_MAX];
  std::string key = realpath(inventory_path.c_str(), resolved) ? resolved : inventory_path;
  mkdir(lock_dir.c_str(), 0700);
  std::string path =
      absl::StrCat(lock_dir, "/inventory-", StableHashHex(StableHash64(key)), ".lock");
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::PermissionDeniedError(
        absl::StrCat(path, ": cannot open the lock: ", strerror(errno)));
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char pid[32] = {0};
    ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
    close(fd);
    return absl::FailedPreconditionError(absl::StrCat(
        "another mptest campaign (pid ", n > 0 ? std::string(pid, strcspn(pid, "\n")) : "?",
        ") is running on the inventory ", key, " (lock ", path, ")"));
  }
  std::string pid = absl::StrCat(getpid(), "\n");
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    close(fd);
    return absl::PermissionDeniedError(absl::StrCat(path, ": cannot write the lock"));
  }
  return CampaignLock(fd);
}

CampaignLock::~CampaignLock() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace mptest::cli
