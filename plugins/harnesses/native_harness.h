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

namespace mptest::harnesses {

// The MicroPython code that formats the flash filesystem of a port's boards; "" = none.
std::string FlashFormatCode(absl::string_view port);

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
  struct RunState;
  RunState RunTestFiles(const proto::HarnessRequest& request, const std::string& result_dir,
                        std::ostream& log) const;
  RunState RunFlashFormat(const proto::HarnessRequest& request) const;

  NativeHarnessOptions options_;
};

}  // namespace mptest::harnesses

#endif  // MPTEST_PLUGINS_HARNESSES_NATIVE_HARNESS_H_
