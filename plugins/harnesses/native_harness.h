// NativeHarness: the `native` harness. Runs MicroPython test files itself over one raw-REPL
// connection (raw paste when the board has it) to the DUT, with run-tests.py's rules
// (run_tests_rules.h) and its choice of tests (run_tests_plan.h: run-tests.py --dry-run on the
// board), but without its per-test costs:
//   - soft reset before each test, then the test (prefixed with print('START TEST')) executed
//     at the raw prompt (a test that raises SystemExit, as SKIP tests do, soft-resets the
//     board itself; the client waits for the raw prompt to come back);
//   - expectations (.exp, or CPython on the host) are computed on a background thread while
//     the board runs tests;
//   - a test that does not finish within MICROPY_TEST_TIMEOUT (spec env; default 60 s) is
//     interrupted and fails, and the board is brought back (interrupt, re-enter raw mode,
//     reopen the console) before the next test;
//   - _results.json in run-tests.py's format, failed tests' .exp/.out, and testresults.txt.
// A board that cannot be brought back is an infrastructure error (the results so far are
// written first).
// On the unix port (a board whose port is "unix") tests run the way run-tests.py runs them on a
// PC instead: each in a process of its own, in its directory, several at once
// (unix_port_runner.h), with --via-mpy and --emit native as run-tests.py has them.
// Two spec arguments select the anchor's other native kinds instead of test files:
//   --flash-format     RUN-FLASH_FORMAT: makes a fresh LFS2 filesystem (rp2, stm32; other ports
//                      skip); one outcome, "format_flash".
//   --mpremote-tests   RUN-MPREMOTE_TESTS: tools/mpremote/tests (see mpremote_tests.h), with
//                      the console left free for mpremote.
#ifndef MPTEST_PLUGINS_HARNESSES_NATIVE_HARNESS_H_
#define MPTEST_PLUGINS_HARNESSES_NATIVE_HARNESS_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/api/harness.h"
#include "core/proto/tentacle.pb.h"
#include "plugins/harnesses/expected_output.h"
#include "plugins/harnesses/run_tests_rules.h"
#include "plugins/harnesses/test_selection.h"

namespace mptest::harnesses {

// The MicroPython code that formats the flash filesystem of a port's boards; "" = none.
std::string FlashFormatCode(absl::string_view port);

// The spec's selection, refused (InvalidArgument) when the native harness cannot honour it:
// --via-mpy and --emit native run only on the unix port.
absl::StatusOr<RunTestsSelection> CheckNativeSpec(const proto::HarnessRequest& request);

// The verdict of one test from what it printed (run_tests_rules.h); failed and ignored tests
// leave <test>.exp and <test>.out (slashes as '_') in result_dir. `error` (a timeout, a lost
// line) becomes the reason.
proto::TestOutcome JudgeTest(const std::string& test, const RemoteOutput& output,
                             const std::string& expected, const absl::Status& error,
                             absl::Duration duration, const std::string& result_dir);

// Puts outcomes in run-tests.py's order (`order`), skipped tests in their places.
void SortLikeRunTests(const std::vector<std::string>& order,
                      std::vector<proto::TestOutcome>* outcomes);

struct NativeHarnessOptions {
  std::string python = "/usr/bin/python3";  // CPython for expectations without a .exp
  double default_test_timeout_s = 60;
};

class NativeHarness : public Harness {
 public:
  NativeHarness() : NativeHarness(NativeHarnessOptions{}) {}
  explicit NativeHarness(NativeHarnessOptions options);
  absl::StatusOr<proto::HarnessResult> Run(const proto::HarnessRequest& request) override;

 private:
  // One run of test files: the outcomes so far, and an error if the run could not go on.
  struct RunState {
    std::vector<proto::TestOutcome> outcomes;
    absl::Status status;
  };
  RunState RunTestFiles(const proto::HarnessRequest& request, const RunTestsSelection& selection,
                        const std::string& result_dir, std::ostream& log) const;
  // The unix port (native_unix.cc): `tests` as processes of their own, several at once;
  // cmdline/ and feature_check/ tests through run-tests.py itself. Appends to run. Reports
  // tests[i] as test first_index + i of total (ReportTest).
  void RunOnUnixPort(const proto::HarnessRequest& request, const RunTestsSelection& selection,
                     const std::vector<std::string>& tests,
                     const std::vector<std::string>& mpy_cross_flags, ExpectedOutputs& expectations,
                     absl::Duration test_timeout, absl::Time run_deadline,
                     const std::string& result_dir, int first_index, int total, std::ostream& log,
                     RunState* run) const;
  RunState RunFlashFormat(const proto::HarnessRequest& request) const;

  NativeHarnessOptions options_;
};

}  // namespace mptest::harnesses

#endif  // MPTEST_PLUGINS_HARNESSES_NATIVE_HARNESS_H_
