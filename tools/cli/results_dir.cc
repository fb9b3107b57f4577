// Results directory handling and the campaign lock (see results_dir.h).
#include "tools/cli/results_dir.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "core/gitspec/stable_hash.h"
#include "core/process/private_dir.h"
#include "core/report/atomic_file.h"

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

absl::Status WriteMarker(const std::string& dir, const std::string& holder) {
  return report::WriteFileAtomically(
      absl::StrCat(dir, "/", kResultsMarker),
      absl::StrCat("mptest results directory, created ",
                   absl::FormatTime("%Y-%m-%d_%H-%M-%S", absl::Now(), absl::LocalTimeZone()),
                   holder.empty() ? "" : absl::StrCat(", held by pid ", getpid(), ": ", holder),
                   "\n"));
}

// Takes <lock_dir>/<kind>-<hash of key>.lock; the error says what is locked and by whom.
absl::StatusOr<FileLock> TakeLock(const std::string& kind, const std::string& key,
                                  const std::string& lock_dir, const std::string& command,
                                  const std::string& busy) {
  const std::string path =
      absl::StrCat(lock_dir, "/", kind, "-", StableHashHex(StableHash64(key)), ".lock");
  absl::StatusOr<FileLock> lock =
      FileLock::TryAcquire(path, absl::StrCat("pid ", getpid(), ": ", command));
  if (lock.ok() || !absl::IsFailedPrecondition(lock.status()) ||
      !absl::StartsWith(lock.status().message(), "held by ")) {
    return lock;
  }
  return absl::FailedPreconditionError(
      absl::StrCat(busy, " (", lock.status().message(), "; lock ", path, ")"));
}

}  // namespace

std::string CanonicalPath(const std::string& path_in) {
  const std::string path =
      path_in.size() > 1 ? std::string(absl::StripSuffix(path_in, "/")) : path_in;
  char resolved[PATH_MAX];
  if (realpath(path.c_str(), resolved) != nullptr) return resolved;
  const size_t slash = path.rfind('/');
  const std::string parent = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  if (realpath(parent.c_str(), resolved) == nullptr) return path;
  return absl::StrCat(resolved, "/", path.substr(slash == std::string::npos ? 0 : slash + 1));
}

absl::StatusOr<std::string> PrepareResultsDir(const std::string& dir_in,
                                              const std::string& holder) {
  std::string dir = dir_in.size() > 1 ? std::string(absl::StripSuffix(dir_in, "/")) : dir_in;
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
  if (mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) {
    return absl::PermissionDeniedError(
        absl::StrCat("--testresults: cannot create ", dir, ": ", strerror(errno)));
  }
  if (absl::Status status = WriteMarker(dir, holder); !status.ok()) return status;
  return moved;
}

absl::StatusOr<std::string> LockDirectory(const std::string& lock_dir) {
  if (lock_dir.empty()) return process::DefaultPrivateDirectory();
  if (absl::Status status = process::EnsurePrivateDirectory(lock_dir); !status.ok()) {
    return absl::FailedPreconditionError(absl::StrCat("--lock_dir: ", status.message()));
  }
  return lock_dir;
}

absl::StatusOr<FileLock> LockInventory(const std::string& inventory_path,
                                       const std::string& lock_dir, const std::string& command) {
  const std::string key = CanonicalPath(inventory_path);
  return TakeLock("inventory", key, lock_dir, command,
                  absl::StrCat("another mptest campaign is running on the inventory ", key));
}

absl::StatusOr<FileLock> LockResultsDir(const std::string& results_dir, bool create) {
  const std::string dir = CanonicalPath(results_dir);
  if (create && mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) {
    return absl::FailedPreconditionError(
        absl::StrCat("--testresults: cannot create ", dir, ": ", strerror(errno)));
  }
  absl::StatusOr<FileLock> lock = FileLock::TryLockDirectory(dir);
  if (lock.ok() || lock.status().message() != "held") {
    if (!lock.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("--testresults: ", lock.status().message()));
    }
    return lock;
  }
  absl::StatusOr<std::string> marker = report::ReadFile(absl::StrCat(dir, "/", kResultsMarker));
  std::string holder = marker.ok() ? marker->substr(0, marker->find('\n')) : "";
  return absl::FailedPreconditionError(
      absl::StrCat("--testresults: ", dir, " is in use by another mptest (",
                   holder.empty() ? "no marker" : absl::CHexEscape(holder.substr(0, 300)), ")"));
}

}  // namespace mptest::cli
