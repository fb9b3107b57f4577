// One test run, as its supervised child executes it: for each attempt (<testid>,a / ,b / ...)
// flash the tentacles whose firmware differs, verify the version, run the harness, and record
// the verdicts in context_testgroup.json. Repeats as the anchor does: a clean first attempt
// ends the run; failures repeat it up to `count` successful attempts; infrastructure errors are
// retried at most `max_retries` times.
#ifndef MPTEST_CORE_SCHED_TEST_RUN_H_
#define MPTEST_CORE_SCHED_TEST_RUN_H_

#include <functional>
#include <string>
#include <vector>

#include "core/proto/campaign.pb.h"
#include "core/proto/events.pb.h"
#include "core/proto/tentacle.pb.h"
#include "core/sched/plugins.h"
#include "core/sched/xfail.h"

namespace mptest::sched {

struct TestRunOptions {
  int count = 1;
  int max_retries = 2;
  bool flash_force = false;
  bool flash_skip = false;
  std::string cache_dir;  // the build cache; harnesses keep what they reuse below it
  // True once the campaign is interrupted: no further attempt starts. (A run in a child is
  // killed anyway; an inline run abandoned at a second signal keeps running in mptest's own
  // process until it exits, and must not add attempts the reports no longer see.)
  std::function<bool()> interrupted;
};

struct TestRunInput {
  proto::TestRunSpec spec;
  std::string testid;                      // without the attempt letter
  std::string role;                        // "" or instance0 / instance1
  std::vector<proto::Tentacle> tentacles;  // role order
  int dut = 0;                             // index of the DUT in `tentacles`
  std::vector<proto::Firmware> firmware;   // per tentacle; empty path with flash_skip
  std::string results_dir;
  std::string tests_dir;
  TestRunOptions options;
  const Xfail* xfail = nullptr;
};

// Stops (powers off) each tentacle through its driver; a failure is logged, not returned: what
// powers boards off before a kill or after a run must reach every one of them.
void PowerOffTentacles(PluginSource& plugins, const std::vector<proto::Tentacle>& tentacles);

// "a", "b", ... "z", "aa", ...
std::string AttemptLetter(int index);

// Runs the test run; never throws. Infrastructure problems end up in the attempts' msg_error.
proto::TestRunRecord RunTestRun(const TestRunInput& input, PluginSource& plugins,
                                const std::function<absl::Time()>& now);

// The TestGroupResult fields that describe the run, not the attempt's outcome.
proto::TestGroupResult DescribeAttempt(const TestRunInput& input, int attempt);

// An attempt under way (`attempt` is its letter) as the reports show it while it runs: its
// description and the verdicts its harness reported so far (`reported`, in the core's words,
// with xfail applied), msg_error "Test never finished..." and `running` set.
proto::TestGroupResult DescribeRunningAttempt(const TestRunInput& input, const std::string& attempt,
                                              const std::vector<proto::TestOutcome>& reported);

// Marks tests that failed in one attempt and passed in another as flaky (all attempts).
void MarkFlaky(proto::TestRunRecord* record);

// An attempt that ended without the harness's answer (an error, the deadline, a signal) keeps
// the verdicts its harness had already written to <results_dir>/<attempt>/_results.json, and
// those it reported as each test ended (`reported`, Harness::ReportTest) of tests that file does
// not have: a harness writes it at the end (the script harnesses) or now and then (native).
void KeepKnownVerdicts(const TestRunInput& input, const std::vector<proto::TestOutcome>& reported,
                       proto::TestGroupResult* group);

// The bus event (kind `test`) carrying a harness's report on one test of `input`'s attempt.
proto::Event MakeTestEvent(const TestRunInput& input, const std::string& attempt,
                           const proto::TestProgress& progress);

}  // namespace mptest::sched

#endif  // MPTEST_CORE_SCHED_TEST_RUN_H_
