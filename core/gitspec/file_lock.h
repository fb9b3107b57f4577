// FileLock: an exclusive flock(2) on a lock file, held for the object's lifetime. Serializes
// processes that update one cache directory (a git clone, a source tree being built).
#ifndef MPTEST_CORE_GITSPEC_FILE_LOCK_H_
#define MPTEST_CORE_GITSPEC_FILE_LOCK_H_

#include <string>

#include "absl/status/statusor.h"

namespace mptest {

class FileLock {
 public:
  // Creates `path` if needed and blocks until the lock is ours. Errors name the file.
  static absl::StatusOr<FileLock> Acquire(const std::string& path);

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
