// Harness: the interface of a test harness plugin (run_tests, native, ...).
#ifndef MPTEST_CORE_API_HARNESS_H_
#define MPTEST_CORE_API_HARNESS_H_

#include "absl/status/statusor.h"
#include "core/proto/tentacle.pb.h"

namespace mptest {

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
};

}  // namespace mptest

#endif  // MPTEST_CORE_API_HARNESS_H_
