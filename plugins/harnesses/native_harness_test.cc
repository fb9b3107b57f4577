// Tests of the native harness: verdict rules, and runs against a virtual board
// (//firmware:virtual_board) on the fake tests: .exp and CPython expectations, SKIP, a failing
// test's files, a hanging test interrupted and followed by a working one, agreement with the
// run_tests harness's verdicts, a board that is not there.
#include "plugins/harnesses/native_harness.h"

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/gitspec/test_repo.h"
#include "core/report/results_json.h"
#include "firmware/test_board.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/harnesses/script_harness.h"

namespace mptest::harnesses {
namespace {

namespace fs = std::filesystem;
using ::mptest::testing::NewTempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

std::vector<std::string> Verdicts(const proto::HarnessResult& result) {
  std::vector<std::string> out;
  for (const proto::TestOutcome& test : result.outcomes()) {
    out.push_back(test.name() + "=" + test.outcome());
  }
  return out;
}

// What a harness reports while it runs (Harness::ReportTest), from any of its threads:
// "started basics/add.py 2/4", "ended basics/add.py 2/4 pass".
class Reports {
 public:
  void Attach(Harness& harness) {
    harness.SetTestReporter([this](const proto::TestProgress& progress) {
      std::lock_guard<std::mutex> lock(mutex_);
      lines_.push_back(absl::StrCat(progress.ended() ? "ended " : "started ",
                                    progress.outcome().name(), " ", progress.index(), "/",
                                    progress.total(),
                                    progress.ended() ? " " + progress.outcome().outcome() : ""));
    });
  }
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> lock(mutex_);
    return lines_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> lines_;
};

class NativeHarnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string repo = NewTempDir("micropython");
    fs::copy("testdata/fake_micropython", repo, fs::copy_options::recursive);
    tests_dir_ = repo + "/tests";
    absl::StatusOr<std::unique_ptr<firmware::TestBoard>> board = firmware::TestBoard::Start();
    ASSERT_TRUE(board.ok()) << board.status();
    board_ = std::move(*board);
  }

  proto::HarnessRequest Request(std::vector<std::string> args) {
    proto::HarnessRequest request;
    request.mutable_spec()->set_label("RUN-TESTS_STANDARD");
    for (const std::string& arg : args) request.mutable_spec()->add_args(arg);
    proto::Tentacle* tentacle = request.add_tentacles();
    tentacle->set_console(board_->console());
    tentacle->mutable_entry()->set_type("virtual");
    request.set_tests_dir(tests_dir_);
    request.set_result_dir(NewTempDir("results"));
    request.set_timeout_s(120);
    return request;
  }

  std::string tests_dir_;
  std::unique_ptr<firmware::TestBoard> board_;
};

TEST_F(NativeHarnessTest, RunsBasicsWithRunTestsVerdicts) {
  proto::HarnessRequest request = Request({"-d", "basics"});
  NativeHarness harness;
  Reports reports;
  reports.Attach(harness);
  absl::StatusOr<proto::HarnessResult> result = harness.Run(request);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(Verdicts(*result), ElementsAre("basics/add.py=pass", "basics/andor.py=pass",
                                             "basics/broken.py=fail", "basics/skipped.py=skip"));
  // Each test was reported as it started and ended; the plan's skipped one first.
  EXPECT_THAT(reports.lines(),
              ElementsAre("ended basics/skipped.py 1/4 skip", "started basics/add.py 2/4",
                          "ended basics/add.py 2/4 pass", "started basics/andor.py 3/4",
                          "ended basics/andor.py 3/4 pass", "started basics/broken.py 4/4",
                          "ended basics/broken.py 4/4 fail"));
  // The failing test's expectation (its .exp) and the board's output are kept.
  EXPECT_EQ(ReadFile(request.result_dir() + "/basics_broken.py.exp"), "y\n");
  EXPECT_EQ(ReadFile(request.result_dir() + "/basics_broken.py.out"), "x\n");
  absl::StatusOr<std::vector<proto::TestOutcome>> written =
      report::ReadResultsJson(request.result_dir() + "/_results.json");
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(written->size(), 4u);
  EXPECT_THAT(ReadFile(request.result_dir() + "/testresults.txt"),
              HasSubstr("4 tests performed, 2 passed, 1 skipped, 1 failed"));

  // The same verdicts as the run_tests harness gives on these tests.
  proto::HarnessRequest script_request = Request({});
  ScriptHarness script_harness(RunnerKind::kRunTests);
  Reports script_reports;
  script_reports.Attach(script_harness);
  absl::StatusOr<proto::HarnessResult> script = script_harness.Run(script_request);
  ASSERT_TRUE(script.ok()) << script.status();
  EXPECT_EQ(Verdicts(*script), Verdicts(*result));
  // The runner script prints each verdict as it goes (its total is not known until the end):
  // its tests are reported then, ended, in its order.
  EXPECT_THAT(script_reports.lines(),
              ElementsAre("ended basics/add.py 1/0 pass", "ended basics/andor.py 2/0 pass",
                          "ended basics/broken.py 3/0 fail", "ended basics/skipped.py 4/0 skip"));
}

TEST_F(NativeHarnessTest, HangingTestIsInterruptedAndTheNextOneRuns) {
  proto::HarnessRequest request = Request({"hang/*.py"});
  (*request.mutable_spec()->mutable_env())["MICROPY_TEST_TIMEOUT"] = "1";
  absl::StatusOr<proto::HarnessResult> result = NativeHarness().Run(request);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(Verdicts(*result),
              ElementsAre("hang/forever.py=fail", "hang/raises.py=fail", "hang/zafter.py=pass"));
  EXPECT_THAT(result->outcomes(0).reason(), HasSubstr("timeout after 1 s"));
  EXPECT_THAT(ReadFile(request.result_dir() + "/hang_raises.py.out"),
              HasSubstr("ValueError: boom\nCRASH"));
  EXPECT_THAT(ReadFile(request.result_dir() + "/hang_raises.py.exp"),
              ::testing::StartsWith("CPYTHON3 CRASH:\n"));
}

TEST_F(NativeHarnessTest, AHangingTestGetsNoMoreThanWhatIsLeftOfTheRun) {
  proto::HarnessRequest request = Request({"hang/forever.py"});
  (*request.mutable_spec()->mutable_env())["MICROPY_TEST_TIMEOUT"] = "60";
  request.set_timeout_s(2);
  absl::StatusOr<proto::HarnessResult> result = NativeHarness().Run(request);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(Verdicts(*result), ElementsAre("hang/forever.py=fail"));
  // The run's 2 s, less what planning took, bounded the test, not the 60 s per-test timeout.
  EXPECT_THAT(result->outcomes(0).reason(),
              ::testing::MatchesRegex("timeout after [01](\\.[0-9]+)? s"));
}

TEST_F(NativeHarnessTest, UnreachableBoardIsAnInfrastructureError) {
  proto::HarnessRequest request = Request({"basics/add.py"});
  request.mutable_tentacles(0)->set_console("/nonexistent/tty");
  absl::StatusOr<proto::HarnessResult> result = NativeHarness().Run(request);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(result.status().message(), HasSubstr("/nonexistent/tty"));
}

TEST_F(NativeHarnessTest, FlashFormatSkipsUnknownPortsAndFailsOnError) {
  proto::HarnessRequest request = Request({"--flash-format"});
  request.mutable_tentacles(0)->mutable_board()->set_port("virtual");
  absl::StatusOr<proto::HarnessResult> skipped = NativeHarness().Run(request);
  ASSERT_TRUE(skipped.ok()) << skipped.status();
  EXPECT_THAT(Verdicts(*skipped), ElementsAre("format_flash=skip"));
  // The virtual board has no rp2 module: the format code raises, and the test fails.
  request.mutable_tentacles(0)->mutable_board()->set_port("rp2");
  absl::StatusOr<proto::HarnessResult> failed = NativeHarness().Run(request);
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_THAT(Verdicts(*failed), ElementsAre("format_flash=fail"));
  EXPECT_THAT(failed->outcomes(0).reason(), HasSubstr("No module named"));
  EXPECT_EQ(FlashFormatCode("stm32"), "import vfs, pyb\nvfs.VfsLfs2.mkfs(pyb.Flash(start=0))\n");
}

TEST_F(NativeHarnessTest, MpremoteTests) {
  proto::HarnessRequest request = Request({"--mpremote-tests"});
  absl::StatusOr<proto::HarnessResult> result = NativeHarness().Run(request);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(Verdicts(*result), ElementsAre("tools/mpremote/tests/test_echo.sh=pass",
                                             "tools/mpremote/tests/test_skipped.sh=skip",
                                             "tools/mpremote/tests/test_wrong.sh=fail"));
  EXPECT_EQ(ReadFile(request.result_dir() + "/test_wrong.sh.out"), "unexpected\n");
  EXPECT_EQ(ReadFile(request.result_dir() + "/test_wrong.sh.exp"), "expected\n");
}

TEST_F(NativeHarnessTest, RefusesUnknownOptionsAndMissingTests) {
  EXPECT_THAT(NativeHarness().Run(Request({"--target=x"})).status().message(),
              HasSubstr("does not support option '--target=x'"));
  EXPECT_THAT(NativeHarness().Run(Request({"basics/nope.py"})).status().message(),
              HasSubstr("no test file basics/nope.py"));
}

// The unix port runs as run-tests.py runs it on a PC: each test a process of its own in its
// directory (a data file opened relative to it, a line printed at exit), cmdline/ tests handed to
// run-tests.py, and --via-mpy accepted there (and refused elsewhere, before anything runs).
class NativeUnixPortTest : public NativeHarnessTest {
 protected:
  proto::HarnessRequest UnixRequest(std::vector<std::string> args) {
    proto::HarnessRequest request = Request(std::move(args));
    proto::Tentacle* tentacle = request.mutable_tentacles(0);
    tentacle->mutable_entry()->set_type("execpty");
    tentacle->mutable_board()->set_name("UNIX");
    tentacle->mutable_board()->set_port("unix");
    tentacle->set_console("/nonexistent/tty");  // never used: no REPL on the unix port
    request.mutable_firmware()->set_path(
        fs::absolute(tests_dir_ + "/../ports/unix/fake_micropython.py").string());
    return request;
  }
};

TEST_F(NativeUnixPortTest, EachTestIsAProcessInItsDirectory) {
  proto::HarnessRequest request = UnixRequest({"-d", "unixport", "cmdline"});
  NativeHarness harness;
  Reports reports;
  reports.Attach(harness);
  absl::StatusOr<proto::HarnessResult> result = harness.Run(request);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(Verdicts(*result),
              ElementsAre("cmdline/cmd_fake.py=pass", "unixport/atexit_line.py=pass",
                          "unixport/cwd_data.py=pass", "unixport/fails.py=fail"));
  // Its own tests start on several threads at once; run-tests.py's is reported when it ends.
  std::vector<std::string> started, ended;
  for (const std::string& line : reports.lines()) {
    (absl::StartsWith(line, "started ") ? started : ended).push_back(line);
  }
  EXPECT_THAT(started, ::testing::UnorderedElementsAre(HasSubstr("started unixport/atexit_line.py"),
                                                       HasSubstr("started unixport/cwd_data.py"),
                                                       HasSubstr("started unixport/fails.py")));
  EXPECT_THAT(ended, ::testing::UnorderedElementsAre(
                         "ended cmdline/cmd_fake.py 0/4 pass", HasSubstr("unixport/atexit_line.py"),
                         HasSubstr("unixport/cwd_data.py"), HasSubstr("unixport/fails.py")));
  EXPECT_EQ(ReadFile(request.result_dir() + "/unixport_fails.py.out"),
            "this is not what the .exp says\n");
  // The cmdline/ test went to run-tests.py's unix target with the tentacle's binary.
  const std::string invocation = ReadFile(request.result_dir() + "/run-tests/fake_invocation.json");
  EXPECT_THAT(invocation, HasSubstr("--test-instance=unix"));
  EXPECT_THAT(invocation, HasSubstr("cmdline/cmd_fake.py"));
}

TEST_F(NativeUnixPortTest, CompiledFormsOnlyOnTheUnixPort) {
  EXPECT_TRUE(CheckNativeSpec(UnixRequest({"--via-mpy", "--emit", "native"})).ok());
  absl::StatusOr<proto::HarnessResult> refused =
      NativeHarness().Run(Request({"--via-mpy", "-d", "basics"}));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("use the run_tests harness"));
}

TEST_F(NativeHarnessTest, BothDirectoryFormsOfRunTests) {
  // run-tests.py's own form: one -d with several directories.
  proto::HarnessRequest request = Request({"-d", "basics", "hang"});
  (*request.mutable_spec()->mutable_env())["MICROPY_TEST_TIMEOUT"] = "2";  // hang/forever.py
  absl::StatusOr<proto::HarnessResult> both = NativeHarness().Run(request);
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_EQ(both->outcomes_size(), 7);
  // Repeated -d: run-tests.py would keep only the last; refused before anything runs.
  absl::StatusOr<proto::HarnessResult> repeated =
      NativeHarness().Run(Request({"-d", "basics", "-d", "hang"}));
  ASSERT_FALSE(repeated.ok());
  EXPECT_EQ(repeated.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(repeated.status().message(), HasSubstr("keeps only the last"));
}

TEST_F(NativeHarnessTest, CPythonExpectationsAreReusedFromTheCache) {
  // A python3 that counts the tests it runs for expectations (not --version).
  const std::string work = NewTempDir("python");
  const std::string python = work + "/python3";
  {
    std::ofstream script(python);
    script << "#!/bin/sh\n[ \"$1\" = -BS ] && echo \"$2\" >> " << work << "/runs\n"
           << "exec /usr/bin/python3 \"$@\"\n";
  }
  fs::permissions(python, fs::perms::owner_all);
  NativeHarnessOptions options;
  options.python = python;
  const std::string cache = NewTempDir("cache");
  auto run = [&] {
    proto::HarnessRequest request = Request({"basics/add.py", "basics/andor.py"});
    request.set_cache_dir(cache);
    absl::StatusOr<proto::HarnessResult> result = NativeHarness(options).Run(request);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_THAT(Verdicts(*result), ElementsAre("basics/add.py=pass", "basics/andor.py=pass"));
  };
  run();  // add.py has no .exp: CPython runs once
  EXPECT_THAT(ReadFile(work + "/runs"), HasSubstr("add.py"));
  fs::remove(work + "/runs");
  run();  // the same CPython on the same file: from the cache
  EXPECT_FALSE(fs::exists(work + "/runs"));
  std::ofstream(tests_dir_ + "/basics/add.py", std::ios::app) << "# changed\n";
  run();  // the file changed: CPython again
  EXPECT_THAT(ReadFile(work + "/runs"), HasSubstr("add.py"));
}

}  // namespace
}  // namespace mptest::harnesses
