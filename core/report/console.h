// The console: a live status line on a terminal (done/total, what runs on each tentacle,
// elapsed time, an estimate of the rest), plain lines when the output is not a terminal or
// NO_COLOR is set, and a summary table at the end. The Format* functions are pure (state in,
// text out); ConsoleWriter only decides the mode and writes.
#ifndef MPTEST_CORE_REPORT_CONSOLE_H_
#define MPTEST_CORE_REPORT_CONSOLE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "core/proto/results.pb.h"

namespace mptest::report {

// What one tentacle (or the build lane) is doing now.
struct LaneActivity {
  std::string lane;      // tentacle name, or "build"
  std::string activity;  // e.g. "RUN-TESTS_STANDARD,a"; "" = idle
  double since_s = 0;    // when the activity started, seconds since the campaign start
  // The test run's progress as its harness reports it: "test <test_index> of <test_total>"
  // ("test <test_index>" while the total is 0: not known; nothing while the index is 0).
  int test_index = 0;
  int test_total = 0;
  // What the activity reports of itself, shown after it: a build's step ("make 120 of 310").
  std::string detail;
};

// The campaign's progress, owned and updated by the scheduler.
struct ConsoleState {
  int total = 0;  // test group attempts planned (grows with retries)
  int done = 0;
  int failed = 0;   // attempts with at least one failed test
  int errored = 0;  // attempts that errored
  std::vector<LaneActivity> lanes;
  double elapsed_s = 0;  // since the campaign start
  // The scheduler's estimate of the time left (EventSink::RemainingEstimate), if it has one.
  std::optional<double> scheduler_remaining_s;
};

enum class LineKind { kInfo, kSuccess, kFailed, kError };

// The scheduler's estimate when it has one (it knows run durations), else
// elapsed * remaining / done; 0 when everything is done; nullopt before the first attempt is
// done.
std::optional<double> EstimateRemaining(const ConsoleState& state);

// One terminal line (no newline), at most `width` columns (ASCII only):
// "[37/120 1 min 05 s, ~2 min 10 s left] 5f2c-RPI_PICO2: RUN-TESTS_STANDARD,a 12s test 5 of 80
// | build: RPI_PICO2-RISCV 40s make 120 of 310 | ...".
std::string FormatStatusLine(const ConsoleState& state, int width);

// A line for the log of the run (newline included), coloured with ANSI escapes if `color`:
// "[  12.3 s] text".
std::string FormatLine(double elapsed_s, LineKind kind, absl::string_view text, bool color);

// The line printed when an attempt ends: "passed RUN-TESTS_STANDARD@5f2c-RPI_PICO2,a (13 tests,
// 1 failed)" with its kind.
std::string FormatGroupLine(const ConsoleState& state, const proto::TestGroupResult& group,
                            bool color);

// Per board: its tests passed, failed (errored included) and skipped (xfailed included), and the
// tentacles that ran them, one line each; "" when no group ran.
std::string FormatBoards(const proto::CampaignResults& results, bool color);

// The summary at the end: the counts table, the failed tests, the errored groups and where the
// report is (`report_path` may be empty).
std::string FormatSummary(const proto::CampaignResults& results, absl::string_view report_path,
                          bool color);

// Writes to a file descriptor in one of two modes. Thread-safe.
class ConsoleWriter {
 public:
  enum class Mode {
    kLive,   // a terminal: colours and a status line redrawn in place
    kPlain,  // a file, a pipe or NO_COLOR: plain lines only, no escapes
  };

  // kLive if `fd` is a terminal, NO_COLOR is unset (or empty) and TERM is not "dumb".
  static Mode DetectMode(int fd);

  ConsoleWriter(int fd, Mode mode) : fd_(fd), mode_(mode) {}

  Mode mode() const { return mode_; }

  // Redraws the status line (live mode only; plain mode prints nothing).
  void Update(const ConsoleState& state);
  // Prints a line above the status line (which is redrawn).
  void Line(double elapsed_s, LineKind kind, absl::string_view text);
  void GroupDone(const ConsoleState& state, const proto::TestGroupResult& group);
  // Clears the status line and prints the summary.
  void Summary(const proto::CampaignResults& results, absl::string_view report_path);

 private:
  void WriteLocked(absl::string_view text) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  int Width() const;

  const int fd_;
  const Mode mode_;
  absl::Mutex mutex_;
  std::string status_line_ ABSL_GUARDED_BY(mutex_);  // what is on screen now ("" = nothing)
};

}  // namespace mptest::report

#endif  // MPTEST_CORE_REPORT_CONSOLE_H_
