// Private directories for mptest's own files in shared places (campaign locks, children's log
// files): a directory only the user can enter, checked before every use, so that another local
// user cannot plant a symlink or a file of their own in it (a predictable /tmp name is
// otherwise an invitation to overwrite whatever file the link points at).
#ifndef MPTEST_CORE_PROCESS_PRIVATE_DIR_H_
#define MPTEST_CORE_PROCESS_PRIVATE_DIR_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace mptest::process {

// Creates `dir` with mode 0700 if it is missing (its parent must exist), then checks it: a
// directory (not a symlink to one), owned by this process's effective user, with no access for
// group or others. FailedPrecondition naming the directory and what is wrong with it otherwise.
absl::Status EnsurePrivateDirectory(const std::string& dir);

// mptest's private directory for this user: $XDG_RUNTIME_DIR/mptest when XDG_RUNTIME_DIR is set
// (systemd's per-user runtime directory), else /tmp/mptest-<euid>; made and checked as
// EnsurePrivateDirectory does.
absl::StatusOr<std::string> DefaultPrivateDirectory();

}  // namespace mptest::process

#endif  // MPTEST_CORE_PROCESS_PRIVATE_DIR_H_
