// The native harness on MicroPython's unix port: tests as processes of their own, several at
// once, the way run-tests.py runs them on a PC (see native_harness.h, unix_port_runner.h).
#include <algorithm>
#include <filesystem>
#include <optional>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "plugins/harnesses/native_harness.h"
#include "plugins/harnesses/run_tests_plan.h"
#include "plugins/harnesses/script_harness.h"
#include "plugins/harnesses/unix_port_runner.h"

namespace mptest::harnesses {
namespace {

namespace fs = std::filesystem;

// run-tests.py runs these with its own machinery (command-line options in the file, a pty
// for repl_ tests); the native harness hands them to it.
bool NeedsRunTests(const std::string& test) {
  return absl::StartsWith(test, "cmdline/") || absl::StartsWith(test, "feature_check/");
}

// What one process run left, for the verdict.
struct Ran {
  RemoteOutput output;
  absl::Duration duration;
};

}  // namespace

void NativeHarness::RunOnUnixPort(const proto::HarnessRequest& request,
                                  const RunTestsSelection& selection,
                                  const std::vector<std::string>& tests,
                                  const std::vector<std::string>& mpy_cross_flags,
                                  ExpectedOutputs& expectations, absl::Duration test_timeout,
                                  absl::Time run_deadline, const std::string& result_dir,
                                  int first_index, int total, std::ostream& log,
                                  RunState* run) const {
  UnixPortTarget target;
  target.micropython = FlashedImage(request.tentacles(0), request.firmware());
  target.tests_dir = request.tests_dir();
  target.emit = selection.emit;
  target.via_mpy = selection.via_mpy;
  target.mpy_cross = !request.firmware().mpy_cross().empty()
                         ? request.firmware().mpy_cross()
                         : (fs::absolute(request.tests_dir()) / "../mpy-cross/build/mpy-cross")
                               .lexically_normal()
                               .string();
  target.test_timeout = test_timeout;
  target.mpy_cross_flags = mpy_cross_flags;

  std::vector<std::string> handed_over;
  std::vector<size_t> own;
  for (size_t i = 0; i < tests.size(); ++i) {
    if (NeedsRunTests(tests[i])) {
      handed_over.push_back(tests[i]);
    } else {
      own.push_back(i);
    }
  }

  // Tests in processes of their own, one worker per core. Like run-tests.py's ThreadPool.map,
  // each worker takes the next chunk of consecutive tests: neighbours that share a resource
  // (extmod/select_poll_udp.py and socket_udp_nonblock.py bind the same UDP port) run one
  // after the other, as they do by hand.
  const size_t jobs = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 16);
  const size_t chunk = std::max<size_t>(1, (own.size() + jobs * 4 - 1) / (jobs * 4));
  absl::Mutex mutex;
  size_t next = 0;
  std::vector<std::optional<Ran>> ran(tests.size());
  auto work = [&] {
    for (;;) {
      size_t first;
      {
        absl::MutexLock lock(&mutex);
        if (next >= own.size() || absl::Now() > run_deadline) return;
        first = next;
        next = std::min(own.size(), next + chunk);
      }
      for (size_t k = first; k < std::min(own.size(), first + chunk); ++k) {
        if (absl::Now() > run_deadline) return;
        const size_t index = own[k];
        ReportTestStarted(first_index + static_cast<int>(index), total, tests[index]);
        const absl::Time start = absl::Now();
        RemoteOutput output = RunTestOnUnixPort(target, tests[index]);
        absl::MutexLock lock(&mutex);
        ran[index] = Ran{std::move(output), absl::Now() - start};
      }
    }
  };
  std::vector<std::thread> workers;
  for (size_t i = 0; i < jobs; ++i) workers.emplace_back(work);

  // Meanwhile run-tests.py runs the tests that need it (it starts its own processes too).
  std::vector<proto::TestOutcome> from_run_tests;
  absl::Status handed_status;
  if (!handed_over.empty()) {
    absl::StatusOr<std::vector<proto::TestOutcome>> outcomes = RunWithRunTests(
        request, handed_over, options_.python, (fs::path(result_dir) / "run-tests").string(),
        std::max(run_deadline - absl::Now(), absl::Seconds(1)));
    if (outcomes.ok()) {
      from_run_tests = *std::move(outcomes);
    } else {
      handed_status = outcomes.status();
    }
  }
  for (std::thread& worker : workers) worker.join();

  for (size_t index : own) {
    if (!ran[index].has_value()) {
      run->status = absl::DeadlineExceededError(
          absl::StrCat("spec ", request.spec().label(), ": the run's ", request.timeout_s(),
                       " s ran out with ", tests[index], " and later tests not run"));
      return;
    }
    absl::StatusOr<std::string> expected = expectations.Get(index);
    if (!expected.ok()) {
      run->status = expected.status();
      return;
    }
    proto::TestOutcome outcome = JudgeTest(tests[index], ran[index]->output, *expected,
                                           absl::OkStatus(), ran[index]->duration, result_dir);
    log << outcome.outcome() << "  " << tests[index] << "\n";
    ReportTestEnded(first_index + static_cast<int>(index), total, outcome);
    run->outcomes.push_back(std::move(outcome));
  }
  for (proto::TestOutcome& outcome : from_run_tests) {
    log << outcome.outcome() << "  " << outcome.name() << " (run-tests.py)\n";
    ReportTestEnded(0, total, outcome);
    run->outcomes.push_back(std::move(outcome));
  }
  if (!handed_status.ok()) {
    run->status =
        absl::Status(handed_status.code(),
                     absl::StrCat("spec ", request.spec().label(), ": ", handed_over.size(),
                                  " cmdline tests through ", handed_status.message()));
  }
  log << std::flush;
}

}  // namespace mptest::harnesses
