// What the reports show, computed from the result model: the summary counts, the failures
// matrices and the timeline bars. Shared by the Markdown, HTML, JUnit and console writers.
#ifndef MPTEST_CORE_REPORT_RESULTS_MODEL_H_
#define MPTEST_CORE_REPORT_RESULTS_MODEL_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "core/proto/results.pb.h"

namespace mptest::report {

// A test's verdict (Outcome.outcome) and the word for it: "passed", "failed", "xfailed",
// "skipped", "errored" (its enum value's name).
using Verdict = proto::Outcome::Verdict;
inline const std::string& VerdictName(Verdict verdict) {
  return proto::Outcome::Verdict_Name(verdict);
}
// A verdict a test can have (not verdict_unspecified, nor a number no name has).
bool IsKnownOutcome(Verdict verdict);
// A verdict that counts as a failure: failed or errored.
inline bool IsFailure(Verdict verdict) {
  return verdict == proto::Outcome::failed || verdict == proto::Outcome::errored;
}

// How one attempt ended as a whole: it ran; it was skipped as a whole (msg_skipped); an
// infrastructure error ended it (msg_error); the campaign was stopped while it ran
// (msg_interrupted: not retried, not counted against the tentacle); it is still under way
// (running: the live view of a campaign that has not finished).
// The error a campaign or attempt carries until it finishes (the anchor's wording).
inline constexpr char kNeverFinished[] = "Test never finished...";

enum class GroupState { kRun, kSkipped, kErrored, kInterrupted, kRunning };
GroupState StateOf(const proto::TestGroupResult& group);
// "skipped", "errored", "interrupted", "running" ("run" for kRun): the state in reports and
// timelines.
absl::string_view StateName(GroupState state);
// Why the attempt did not run to its end: its msg_error, msg_skipped or msg_interrupted.
const std::string& StateReason(const proto::TestGroupResult& group);

// The anchor's time format "%Y-%m-%d_%H-%M-%S%z" in UTC ("+0000"); "" for 0.
std::string FormatAnchorTime(double unix_s);

// Fills time_start/time_end from start_s/end_s where they are empty.
void FillTimeStrings(proto::TestGroupResult* group);
void FillTimeStrings(proto::CampaignContext* context);

proto::Summary ComputeSummary(const proto::CampaignResults& results);

// Sets `flaky` on every attempt of a testid in which some test file both failed (or errored)
// and passed across that testid's attempts.
void MarkFlaky(proto::CampaignResults* results);

// One row of the errored or skipped groups table.
struct GroupRow {
  std::string directory_relative;
  std::string tentacle_variant;
  std::string reason;    // msg_error, msg_skipped or msg_interrupted
  std::string log_text;  // "log" or "directory"
  std::string log_path;  // what the log link points to
};
std::vector<GroupRow> GroupRows(const proto::CampaignResults& results, GroupState state);

// One column of a failures matrix: a device (and role) a test group ran on.
struct MatrixColumn {
  std::string mcu;
  std::string tentacle_variant;
  std::string role;
  std::string Title() const;  // "<tentacle_variant>[-<role>]"
};

// One cell entry: the verdict of one attempt.
struct MatrixCell {
  std::string attempt;  // "a", "b", ...
  std::string outcome;
  std::string directory_relative;  // the attempt's directory, for links
  std::string expected_file;       // a failure's .exp and .out, relative to the results dir
  std::string output_file;
};

// The anchor's per-test-group "Failures" matrix: rows are test files that failed (or errored)
// at least once, columns are devices, each cell lists every attempt's verdict.
struct FailureMatrix {
  std::string testgroup;
  std::vector<MatrixColumn> columns;
  std::vector<std::string> rows;
  // (row index, column index) -> attempts in attempt order.
  std::map<std::pair<size_t, size_t>, std::vector<MatrixCell>> cells;
};

// One matrix per test group label with failures, ordered by label.
std::vector<FailureMatrix> BuildFailureMatrices(const proto::CampaignResults& results);

// Bars for the timeline: every build (lane "build"), every attempt that has a start and an end
// (on its tentacle's lane and on its reference's), a "flash" bar on the DUT's lane for every
// attempt that flashed it (flash_end_s > 0), plus context.timeline; sorted by start.
std::vector<proto::TimelineEntry> BuildTimeline(const proto::CampaignResults& results);

// "12.3 s", "4 min 05 s", "1 h 02 min".
std::string FormatDuration(double seconds);

}  // namespace mptest::report

#endif  // MPTEST_CORE_REPORT_RESULTS_MODEL_H_
