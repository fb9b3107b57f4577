// Tests of run-tests.py's per-test rules as the native harness applies them.
#include "plugins/harnesses/run_tests_rules.h"

#include "gtest/gtest.h"

namespace mptest::harnesses {
namespace {

RemoteOutput Output(const std::string& out, const std::string& err = "",
                    absl::Status error = absl::OkStatus(), bool prepended = true) {
  return MakeRemoteOutput(RemoteRun{out, err, error}, prepended);
}

TEST(RunTestsRulesTest, StartTestPrefix) {
  EXPECT_EQ(PrependStartTest("print(1)\n"), "print('START TEST')\nprint(1)\n");
  EXPECT_EQ(PrependStartTest("# comment\nprint(1)\n"), "print('START TEST')# comment\nprint(1)\n");
  RemoteOutput ok = Output("START TEST\r\n2\r\n");
  EXPECT_FALSE(ok.had_crash);
  EXPECT_EQ(ok.output, "2\n");
  // A bare \n (a unix port on a raw pty, without the execpty relay's translation) is not what
  // run-tests.py accepts from a board: the test counts as crashed, as there.
  EXPECT_TRUE(Output("START TEST\n2\n").had_crash);
  RemoteOutput never_started = Output("2\r\n");
  EXPECT_TRUE(never_started.had_crash);
  EXPECT_EQ(Output("2\r\n", "", absl::OkStatus(), false).had_crash, false);
}

TEST(RunTestsRulesTest, ExceptionsTimeoutsAndTooLarge) {
  RemoteOutput raised = Output("START TEST\r\na\r\n", "Traceback\r\nValueError\r\n");
  EXPECT_TRUE(raised.had_crash);
  EXPECT_EQ(raised.output, "a\nTraceback\nValueError\nCRASH");
  EXPECT_EQ(Output("", "MemoryError: memory allocation failed\r\n").output, "SKIP-TOO-LARGE\n");
  RemoteOutput timeout = Output("START TEST\r\n", "", absl::DeadlineExceededError("timed out"));
  EXPECT_TRUE(timeout.had_crash);
  EXPECT_EQ(timeout.output, "timed out\nCRASH");
  EXPECT_EQ(NormalizeNewlines("a\r\r\nb\r\nc\rd\n"), "a\nb\nc\rd\n");
}

TEST(RunTestsRulesTest, Verdicts) {
  EXPECT_EQ(DecideTest("basics/a.py", Output("START TEST\r\nSKIP\r\n"), "x").outcome, "skip");
  TestVerdict large = DecideTest("basics/a.py", Output("", "MemoryError\r\n"), "x");
  EXPECT_EQ(large.outcome, "skip");
  EXPECT_EQ(large.reason, "too large");
  EXPECT_EQ(DecideTest("basics/a.py", Output("START TEST\r\n2\r\n"), "2\n").outcome, "pass");
  EXPECT_EQ(DecideTest("basics/a.py", Output("START TEST\r\n2\r\n"), "3\n").outcome, "fail");
  // Without START TEST run-tests.py marks a crash but still compares the output as it is.
  EXPECT_EQ(DecideTest("basics/a.py", Output("2\r\n"), "2\n").outcome, "pass");
  EXPECT_EQ(DecideTest("basics/a.py", Output("SKIP\r\n"), "2\n").outcome, "skip");
  TestVerdict flaky = DecideTest("thread/thread_gc1.py", Output("START TEST\r\nx\r\n"), "y\n");
  EXPECT_EQ(flaky.outcome, "ignored");
  EXPECT_EQ(flaky.reason, "flaky: GC race condition");
  EXPECT_EQ(DecideTest("thread/stress_heap.py", Output("START TEST\r\nx\r\n"), "y\n").outcome,
            "fail");  // flaky on darwin only
  TestVerdict unittest = DecideTest(
      "basics/u.py",
      Output("START TEST\r\n", "Traceback\r\nImportError: no module named 'unittest'\r\n"), "");
  EXPECT_EQ(unittest.outcome, "fail");
  EXPECT_NE(unittest.reason.find("unittest"), std::string::npos);
}

TEST(RunTestsRulesTest, UnittestSummaries) {
  const std::string dashes(70, '-');
  const std::string ok =
      "START TEST\r\ntest_a ... ok\r\n" + dashes + "\r\nRan 1 tests\r\n\r\nOK\r\n";
  EXPECT_EQ(DecideTest("extmod/u.py", Output(ok), "unrelated").outcome, "pass");
  const std::string failed = "START TEST\r\ntest_a ... FAIL\r\n" + dashes +
                             "\r\nRan 1 tests\r\n\r\nFAILED (failures=1, errors=0)\r\n";
  EXPECT_EQ(DecideTest("extmod/u.py", Output(failed), "unrelated").outcome, "fail");
}

TEST(RunTestsRulesTest, RegexExpectations) {
  EXPECT_TRUE(HasRegexOutput("basics/builtin_help.py"));
  EXPECT_FALSE(HasRegexOutput("basics/andor.py"));
  // .exp lines escape regex syntax: "\\d\+" is the regex \d+.
  EXPECT_EQ(ApplyRegexExpectation("mem: 1234\nend\n", "mem: \\\\d\\+\nend\n"),
            "mem: \\\\d\\+\nend\n");
  EXPECT_EQ(ApplyRegexExpectation("mem: 12x\n", "mem: \\\\d\\+$\n"), "mem: 12x\n");
  // \$ is Python's end anchor, which also matches before the line's newline
  // (thread/thread_exc2.py.exp: "ValueError: \$").
  EXPECT_EQ(ApplyRegexExpectation("ValueError: \ndone\n", "ValueError: \\$\ndone\n"),
            "ValueError: \\$\ndone\n");
  EXPECT_EQ(ApplyRegexExpectation("ValueError: x\n", "ValueError: \\$\n"), "ValueError: x\n");
  EXPECT_EQ(ApplyRegexExpectation("a\nx1\nx2\nb\n", "a\n########\nb\n"), "a\n########\nb\n");
  EXPECT_EQ(ApplyRegexExpectation("a\nc\n", "a\n########\nb\n"), "a\n######## FAIL\n");
  EXPECT_EQ(
      DecideTest("micropython/meminfo.py", Output("START TEST\r\nmem: 99\r\n"), "mem: \\\\d\\+\n")
          .outcome,
      "pass");
}

}  // namespace
}  // namespace mptest::harnesses
