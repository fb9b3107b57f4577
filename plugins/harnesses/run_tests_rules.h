// run-tests.py's rules for one test on a remote target, so that the native harness reaches the
// same verdicts (read from micropython's tests/run-tests.py and tests/test_utils.py, v1.29):
//   - the script is prefixed with print('START TEST') (joined to the first line when that is a
//     comment, so line numbers stay); output that does not start with "START TEST\r\n" means
//     the test never ran (a crash);
//   - an exception appends the traceback and "CRASH"; a MemoryError before any output means
//     "SKIP-TOO-LARGE"; a protocol error appends its text and "CRASH";
//   - newlines are normalized (\r\r\n and \r\n to \n);
//   - "SKIP\n" skips, "SKIP-TOO-LARGE\n" skips as "too large";
//   - unittest-style output is judged by its summary line; a missing unittest module is an
//     error for run-tests.py (it stops the run), here a failed test naming the cause;
//   - expectation: <test>.<emit>.exp, <test>.exp, else CPython (`python3 -BS`, in the test's
//     directory; "CPYTHON3 CRASH:\n" + its output when it fails);
//   - a few tests have regex .exp lines (tests_with_regex_output) matched line by line, with
//     "########" standing for any number of lines;
//   - failures of known-flaky tests become "ignored".
#ifndef MPTEST_PLUGINS_HARNESSES_RUN_TESTS_RULES_H_
#define MPTEST_PLUGINS_HARNESSES_RUN_TESTS_RULES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace mptest::harnesses {

// \r\r\n and then \r\n become \n.
std::string NormalizeNewlines(absl::string_view text);

// The script run-tests.py sends for a non-special test.
std::string PrependStartTest(absl::string_view script);

// What came back from executing a test at the raw REPL.
struct RemoteRun {
  std::string stdout_text;
  std::string stderr_text;  // the traceback, if the code raised
  absl::Status error;       // a protocol error or timeout (then stdout may be partial)
};

// run_script_on_remote_target + normalization: the output run-tests.py compares, and whether
// it counts as a crash.
struct RemoteOutput {
  bool had_crash = false;
  std::string output;
};
RemoteOutput MakeRemoteOutput(const RemoteRun& run, bool start_test_prepended);

// True for the tests whose .exp lines are regular expressions.
bool HasRegexOutput(absl::string_view test);

// run-tests.py's rewrite of `output` against a regex .exp: each matching line is replaced by
// the .exp line, so that equal text means a match.
std::string ApplyRegexExpectation(absl::string_view output, absl::string_view expected);

// The verdict: outcome pass, fail, skip or ignored, and a reason.
struct TestVerdict {
  std::string outcome;
  std::string reason;
};

// Decides one test. `expected` is the expectation (.exp or CPython); it is not consulted for
// skips and unittest output. `test` is the path relative to tests/ (for the regex and flaky
// tables); `host_platform` is sys.platform of the host ("linux").
TestVerdict DecideTest(absl::string_view test, const RemoteOutput& output,
                       absl::string_view expected, absl::string_view host_platform = "linux");

// True when the output says the test needs unittest and the board has none.
bool MissingUnittest(absl::string_view output);

}  // namespace mptest::harnesses

#endif  // MPTEST_PLUGINS_HARNESSES_RUN_TESTS_RULES_H_
