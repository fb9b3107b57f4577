// Harness: the interface of a test harness plugin (run_tests, native, ...).
#ifndef MPTEST_CORE_API_HARNESS_H_
#define MPTEST_CORE_API_HARNESS_H_

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "core/api/report_channel.h"
#include "core/proto/tentacle.pb.h"

namespace mptest {

// Where a harness's per-test reports go (Harness::SetTestReporter).
using TestReporter = ReportChannel<proto::TestProgress>::Receiver;

// Runs one test run (one spec on one or two flashed tentacles) and reports per-test verdicts.
// Called inside the test run's supervised child; the scheduler enforces the deadline, so an
// implementation may block but should honour request.timeout_s for the tests it runs.
class Harness {
 public:
  virtual ~Harness() = default;

  // Runs the tests, writes request.result_dir/_results.json (run-tests.py's format) and
  // returns the verdicts. Test failures are outcomes, not errors; an error means the run
  // itself could not be done (board unreachable, harness missing) and is infrastructure.
  virtual absl::StatusOr<proto::HarnessResult> Run(const proto::HarnessRequest& request) = 0;

  // Call from Run (any thread) as each test starts and as it ends: mptest shows the run's
  // progress ("test N of M" per tentacle) and keeps the verdicts reported so far if the run is
  // killed (its deadline, Ctrl-C) before it answers. Cheap and thread-safe; does nothing where
  // nobody listens (a unit test, an mptest older than the report_test call).
  void ReportTest(const proto::TestProgress& progress) const { reports_.Send(progress); }

  // ReportTest's two uses: test `index` (1-based) of `total` starts, or ends with `outcome`
  // (its name and verdict); 0 = not known.
  void ReportTestStarted(int index, int total, const std::string& name) const {
    proto::TestProgress progress;
    progress.set_index(index);
    progress.set_total(total);
    progress.mutable_outcome()->set_name(name);
    ReportTest(progress);
  }
  void ReportTestEnded(int index, int total, const proto::TestOutcome& outcome) const {
    proto::TestProgress progress;
    progress.set_index(index);
    progress.set_total(total);
    progress.set_ended(true);
    *progress.mutable_outcome() = outcome;
    ReportTest(progress);
  }

  // Where ReportTest goes: set by mptest around each Run (and, in a plugin, by the SDK, which
  // forwards to mptest). nullptr: nowhere.
  void SetTestReporter(TestReporter reporter) { reports_.Connect(std::move(reporter)); }

 private:
  ReportChannel<proto::TestProgress> reports_;
};

}  // namespace mptest

#endif  // MPTEST_CORE_API_HARNESS_H_
