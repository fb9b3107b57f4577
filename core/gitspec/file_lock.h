// FileLock: an exclusive flock(2) on a lock file, held for the object's lifetime. Serializes
// processes that update one cache directory (a git clone, a source tree being built), and keeps
// a second mptest campaign off an inventory (TryAcquire, which names the holder) or a results
// directory (TryLockDirectory). Lock files are opened with O_NOFOLLOW and only a regular file of
// this user is written.
#ifndef MPTEST_CORE_GITSPEC_FILE_LOCK_H_
#define MPTEST_CORE_GITSPEC_FILE_LOCK_H_

#include <string>

#include "absl/status/statusor.h"

namespace mptest {

class FileLock {
 public:
  // Creates `path` if needed and blocks until the lock is ours. Errors name the file.
  static absl::StatusOr<FileLock> Acquire(const std::string& path);

  // Takes the lock if it is free and writes `holder` (one line saying who holds it) into the
  // file; FailedPrecondition carrying "held by <the holder's line>" (escaped: it is read back
  // from a file) when another open of the file holds it. `path` must not be a symlink, and
  // must be a regular file owned by this user if it exists.
  static absl::StatusOr<FileLock> TryAcquire(const std::string& path, const std::string& holder);

  // Takes the lock on directory `dir` itself (not through a symlink) if it is free;
  // FailedPrecondition "held" when another open of it holds it. Who holds it is the caller's
  // business (mptest's results directory keeps it in its marker file).
  static absl::StatusOr<FileLock> TryLockDirectory(const std::string& dir);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  ~FileLock();  // closing the descriptor releases the lock

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace mptest

#endif  // MPTEST_CORE_GITSPEC_FILE_LOCK_H_
