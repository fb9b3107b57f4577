// The results directory and the campaign lock. An earlier run's directory (it holds the
// .mptest-results marker) is moved aside to <dir>.<its start time>, never deleted; a directory
// that is not empty and has no marker is refused. One campaign per inventory at a time: an
// flock on a lock file named after the inventory, holding the owner's pid for the message.
#ifndef MPTEST_TOOLS_CLI_RESULTS_DIR_H_
#define MPTEST_TOOLS_CLI_RESULTS_DIR_H_

#include <string>

#include "absl/status/statusor.h"

namespace mptest::cli {

inline constexpr char kResultsMarker[] = ".mptest-results";

// Returns the path the earlier run was moved to ("" if there was none).
absl::StatusOr<std::string> PrepareResultsDir(const std::string& dir);

// Holds the lock until destroyed.
class CampaignLock {
 public:
  // FailedPrecondition naming the holder's pid when another campaign holds it.
  static absl::StatusOr<CampaignLock> Acquire(const std::string& inventory_path,
                                              const std::string& lock_dir);
  CampaignLock(CampaignLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  CampaignLock& operator=(CampaignLock&&) = delete;
  ~CampaignLock();

 private:
  explicit CampaignLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace mptest::cli

#endif  // MPTEST_TOOLS_CLI_RESULTS_DIR_H_
