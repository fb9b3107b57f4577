// Checking out a git spec: a local directory is used in place; anything else is cloned (or
// fetched, when already cloned) into <cache_dir>/git/<prefix><slug>, the PR head fetched from
// refs/pull/<PR>/head and rebased onto the ref when the spec names both. All git commands run
// through RunCommand (no shell), with a timeout and without prompting for credentials.
#ifndef MPTEST_CORE_GITSPEC_GIT_CHECKOUT_H_
#define MPTEST_CORE_GITSPEC_GIT_CHECKOUT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/gitspec/gitspec.h"

namespace mptest {

struct CheckoutOptions {
  std::string cache_dir;  // required for anything but a local directory
  std::string prefix;     // "firmware_", "tests_": separates the users of one spec
  absl::Duration timeout = absl::Seconds(240);  // per git command
  std::string log_path;  // if set, every git command and its output is appended here
};

struct Checkout {
  std::string path;      // the work tree
  std::string commit;    // HEAD's commit after checkout/rebase; empty if not a git tree
  bool rebased = false;  // a PR was rebased onto the ref
  std::string describe;  // git describe --all --long --dirty --always
};

// Makes the spec's tree available. Errors name the spec, the git command and git's output
// (unknown ref, missing PR, a rebase that conflicts). A local directory must exist; the
// cache directory of a clone is locked (flock) while it is being updated, so concurrent
// builders of the same spec take turns.
absl::StatusOr<Checkout> CheckoutGitSpec(const GitSpec& spec, const CheckoutOptions& options);

// Runs `git -C dir <args>` and returns its output, or an error naming the command, its exit
// and its output.
absl::StatusOr<std::string> RunGit(const std::string& dir, const std::vector<std::string>& args,
                                   absl::Duration timeout = absl::Seconds(60),
                                   const std::string& log_path = "");

// The state of a work tree for cache keys: the HEAD commit and a hash of everything that
// differs from it (tracked changes, staged or not, and untracked files that are not ignored).
// A tree without changes has diff_hash "clean". Errors for a directory that is not the top
// of a work tree (not in git, or a subdirectory of another repository).
struct WorkTreeState {
  std::string commit;
  std::string diff_hash;
};
absl::StatusOr<WorkTreeState> GetWorkTreeState(const std::string& dir);

}  // namespace mptest

#endif  // MPTEST_CORE_GITSPEC_GIT_CHECKOUT_H_
