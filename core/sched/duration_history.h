// Run-time history across campaigns: how long each cell (label, board, variant) took in the
// clean runs of earlier campaigns, kept in <cache_dir>/durations.tsv so that the next campaign's
// matrix can start the longest runs first. One line per cell, tab-separated:
//   label  board  variant  seconds
// ('#' lines are comments; the variant may be empty). Each campaign merges its own durations in
// with an exponential moving average, rewriting the file atomically (temporary file + rename).
#ifndef MPTEST_CORE_SCHED_DURATION_HISTORY_H_
#define MPTEST_CORE_SCHED_DURATION_HISTORY_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/sched/matrix.h"

namespace mptest::sched {

inline constexpr char kDurationHistoryFile[] = "durations.tsv";
// Weight of the newest campaign's mean in the moving average (the rest is the old value).
inline constexpr double kNewestDurationWeight = 0.5;

// <cache_dir>/durations.tsv, or "" when there is no cache directory (no history).
std::string DurationHistoryPath(const std::string& cache_dir);

// Parses the file's text into seconds by EstimateKey. An error names `path`, the line and what
// was expected there.
absl::StatusOr<DurationEstimates> ParseDurationHistory(absl::string_view text,
                                                       const std::string& path);
// The file's text for `history` (keys as EstimateKey makes them), sorted by key.
std::string FormatDurationHistory(const DurationEstimates& history);

// The history in the file at `path`; a file that does not exist yet is an empty history.
absl::StatusOr<DurationEstimates> LoadDurationHistory(const std::string& path);

// The durations of one campaign's clean runs, merged into the history file at its end.
class DurationHistory {
 public:
  void Record(const std::string& label, const std::string& board, const std::string& variant,
              double seconds);
  bool empty() const { return runs_.empty(); }
  // This campaign's mean per cell.
  DurationEstimates Means() const;
  // Re-reads `path` (another campaign may have written it since this one started), merges this
  // campaign's means in (kNewestDurationWeight; cells not run now keep their value) and writes
  // it back atomically. A corrupt file is replaced (with a warning naming it); an error only
  // when the file cannot be read or written.
  absl::Status MergeInto(const std::string& path) const;

 private:
  struct Sum {
    double seconds = 0;
    int runs = 0;
  };
  std::map<std::string, Sum> runs_;  // by EstimateKey
};

}  // namespace mptest::sched

#endif  // MPTEST_CORE_SCHED_DURATION_HISTORY_H_
