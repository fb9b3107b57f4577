// The results directory and the campaign's locks. An earlier run's directory (it holds the
// .mptest-results marker) is moved aside to <dir>.<its start time>, never deleted; a directory
// that is not empty and has no marker is refused. One campaign per inventory at a time: a flock
// on a lock file in mptest's private directory (0700, owner and mode checked:
// core/process/private_dir.h) holding its holder's pid and command. One mptest per results
// directory: a flock on the directory itself (so any user, any --lock_dir, sees it), whose
// marker names the holder.
#ifndef MPTEST_TOOLS_CLI_RESULTS_DIR_H_
#define MPTEST_TOOLS_CLI_RESULTS_DIR_H_

#include <string>

#include "absl/status/statusor.h"
#include "core/gitspec/file_lock.h"

namespace mptest::cli {

inline constexpr char kResultsMarker[] = ".mptest-results";

// `path` with its directory part resolved (the last part need not exist yet), without a
// trailing slash; as given when its directory does not exist.
std::string CanonicalPath(const std::string& path);

// Returns the path the earlier run was moved to ("" if there was none). The new directory's
// marker names `holder` (who is writing it) for LockResultsDir's message.
absl::StatusOr<std::string> PrepareResultsDir(const std::string& dir,
                                              const std::string& holder = "");

// The private directory for locks: `lock_dir` (made and checked) or, when "", the default
// ($XDG_RUNTIME_DIR/mptest, else /tmp/mptest-<uid>).
absl::StatusOr<std::string> LockDirectory(const std::string& lock_dir);

// One campaign per inventory: FailedPrecondition naming the inventory, the lock file and the
// holder (pid and command) when another campaign holds it. `command` describes this holder.
absl::StatusOr<FileLock> LockInventory(const std::string& inventory_path,
                                       const std::string& lock_dir, const std::string& command);

// One mptest (a campaign, or `report`) per results directory: a flock on the directory (made
// first when `create`), held from before the earlier results are moved aside (then again on the
// new directory) until the last report is written. FailedPrecondition naming the directory and
// the holder (from its marker, escaped) when another mptest holds it.
absl::StatusOr<FileLock> LockResultsDir(const std::string& results_dir, bool create);

}  // namespace mptest::cli

#endif  // MPTEST_TOOLS_CLI_RESULTS_DIR_H_
