// Which tests a native run covers, decided the way run-tests.py decides them: when the tests
// directory's run-tests.py has --dry-run, it is asked (against the board, so that its feature
// checks and per-platform skip lists apply) which tests it would run ("found") and which it
// skips; otherwise the spec's selection (test_selection.h) is run as it is, without skips.
// run-tests.py reaches the DUT as the run_tests harness does (TestInstance in script_harness.h).
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
  // What run-tests.py gives mpy-cross for this target ("-march=x64", from the platform line
  // its dry run prints: arch= and arch_flags=); empty when the target names no arch.
  std::vector<std::string> mpy_cross_flags;
};

// A shard's part of a kind's plan (TestRunSpec.shard_index of shard_count): every
// shard_count-th test of `plan->order`, from the shard_index-th; run, skipped and order keep
// only those. A spec that is not a shard keeps the whole plan.
void KeepShard(const proto::TestRunSpec& spec, TestPlan* plan);

// Plans the request's tests (a shard's part of them, see KeepShard); the dry run's files go to
// work_dir. Nothing else may have the
// board's console open meanwhile. Errors: a bad selection, or a dry run that fails.
absl::StatusOr<TestPlan> PlanTests(const proto::HarnessRequest& request, const std::string& python,
                                   const std::string& work_dir, absl::Duration timeout);

// Runs `tests` (relative to tests_dir) with run-tests.py itself against the request's DUT, with
// the spec's --via-mpy/--emit, writing into work_dir; the native harness hands it the tests it
// does not run itself (the unix port's cmdline/ tests). Errors: run-tests.py failing or leaving
// no _results.json.
absl::StatusOr<std::vector<proto::TestOutcome>> RunWithRunTests(
    const proto::HarnessRequest& request, const std::vector<std::string>& tests,
    const std::string& python, const std::string& work_dir, absl::Duration timeout);

}  // namespace mptest::harnesses

#endif  // MPTEST_PLUGINS_HARNESSES_RUN_TESTS_PLAN_H_
