// Which tests a native run covers, decided the way run-tests.py decides them: when the tests
// directory's run-tests.py has --dry-run, it is asked (against the board, so that its feature
// checks and per-platform skip lists apply) which tests it would run ("found") and which it
// skips; otherwise the spec's selection (test_selection.h) is run as it is, without skips.
#ifndef MPTEST_PLUGINS_HARNESSES_RUN_TESTS_PLAN_H_
#define MPTEST_PLUGINS_HARNESSES_RUN_TESTS_PLAN_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/proto/tentacle.pb.h"

namespace mptest::harnesses {

struct TestPlan {
  std::vector<std::string> run;             // tests to run, in run-tests.py's order
  std::vector<proto::TestOutcome> skipped;  // decided without running
  std::vector<std::string> order;           // every test, in run-tests.py's order
  bool from_run_tests = false;              // run-tests.py --dry-run made the plan
};

// Plans the request's tests; the dry run's files go to work_dir. Nothing else may have the
// board's console open meanwhile. Errors: a bad selection, or a dry run that fails.
absl::StatusOr<TestPlan> PlanTests(const proto::HarnessRequest& request, const std::string& python,
                                   const std::string& work_dir, absl::Duration timeout);

}  // namespace mptest::harnesses

#endif  // MPTEST_PLUGINS_HARNESSES_RUN_TESTS_PLAN_H_
