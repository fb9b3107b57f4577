// Tests of the run-tests.py family of harnesses against the fake runners in
// testdata/fake_micropython/tests: command lines, environment, verdicts from _results.json
// (whatever the exit status says), missing results, timeouts, globs, two-tentacle runs.
#include "plugins/harnesses/script_harness.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "core/gitspec/test_repo.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::harnesses {
namespace {

namespace fs = std::filesystem;
using ::mptest::testing::NewTempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

proto::Tentacle Tentacle(const std::string& console) {
  proto::Tentacle tentacle;
  tentacle.set_console(console);
  tentacle.mutable_entry()->set_type("virtual");
  tentacle.mutable_board()->set_name("VIRTUAL");
  return tentacle;
}

class ScriptHarnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tests_dir_ = NewTempDir("micropython") + "/tests";
    fs::copy("testdata/fake_micropython/tests", tests_dir_, fs::copy_options::recursive);
  }

  proto::HarnessRequest Request(const std::string& label) {
    proto::HarnessRequest request;
    request.mutable_spec()->set_label(label);
    *request.add_tentacles() = Tentacle("/dev/ttyFAKE0");
    request.set_tests_dir(tests_dir_);
    request.set_result_dir(NewTempDir("results"));
    request.set_timeout_s(60);
    return request;
  }

  std::string Invocation(const proto::HarnessRequest& request) {
    return ReadFile(fs::path(request.result_dir()) / "fake_invocation.json");
  }

  std::string tests_dir_;
};

std::vector<std::string> Verdicts(const proto::HarnessResult& result) {
  std::vector<std::string> out;
  for (const proto::TestOutcome& test : result.outcomes()) {
    out.push_back(test.name() + "=" + test.outcome());
  }
  return out;
}

TEST_F(ScriptHarnessTest, RunTestsReadsVerdictsAndKeepsFailures) {
  proto::HarnessRequest request = Request("RUN-TESTS_STANDARD");
  ScriptHarness harness(RunnerKind::kRunTests);
  absl::StatusOr<proto::HarnessResult> result = harness.Run(request);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(Verdicts(*result), ElementsAre("basics/add.py=pass", "basics/andor.py=pass",
                                             "basics/broken.py=fail", "basics/skipped.py=skip"));
  EXPECT_EQ(result->results_json(), request.result_dir() + "/_results.json");
  EXPECT_TRUE(fs::exists(request.result_dir() + "/basics_broken.py.exp"));
  EXPECT_TRUE(fs::exists(request.result_dir() + "/basics_broken.py.out"));
  const std::string invocation = Invocation(request);
  EXPECT_THAT(invocation, HasSubstr("\"--test-instance=port:/dev/ttyFAKE0\""));
  EXPECT_THAT(invocation, HasSubstr("\"--result-dir=" + request.result_dir() + "\""));
  EXPECT_THAT(invocation, HasSubstr("\"MICROPY_TEST_TIMEOUT\": \"60\""));
  EXPECT_THAT(invocation, HasSubstr("\"PYTHONUNBUFFERED\": \"1\""));
  EXPECT_THAT(invocation, HasSubstr("\"MICROPY_MPYCROSS\": null"));
  EXPECT_THAT(ReadFile(request.result_dir() + "/testresults.txt"),
              HasSubstr("4 tests performed, 1 failed"));
  EXPECT_THAT(ReadFile(request.result_dir() + "/command.txt"), HasSubstr("run-tests.py"));
}

// run-tests.py's verdicts reach the campaign as its output gives them (total not known yet),
// each once: at the end only what the output did not give is reported.
TEST_F(ScriptHarnessTest, RunTestsVerdictsAreReportedAsTheRunnerPrintsThem) {
  proto::HarnessRequest request = Request("RUN-TESTS_STANDARD");
  ScriptHarness harness(RunnerKind::kRunTests);
  std::vector<std::string> reports;
  harness.SetTestReporter([&reports](const proto::TestProgress& progress) {
    reports.push_back(absl::StrCat(progress.ended() ? "ended " : "started ", progress.index(), "/",
                                   progress.total(), " ", progress.outcome().name(), "=",
                                   progress.outcome().outcome()));
  });
  absl::StatusOr<proto::HarnessResult> result = harness.Run(request);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(reports,
              ElementsAre("ended 1/0 basics/add.py=pass", "ended 2/0 basics/andor.py=pass",
                          "ended 3/0 basics/broken.py=fail", "ended 4/0 basics/skipped.py=skip"));
}

TEST(ParseRunTestsVerdictLineTest, TheRunnersWordsAndNothingElse) {
  auto parse = [](absl::string_view line) {
    std::optional<proto::TestOutcome> outcome = ParseRunTestsVerdictLine(line);
    return outcome ? absl::StrCat(outcome->name(), "=", outcome->outcome(), ":", outcome->reason())
                   : std::string("-");
  };
  EXPECT_EQ(parse("pass  basics/andor.py "), "basics/andor.py=pass:");
  EXPECT_EQ(parse("pass  basics/array_int_repr.py (unittest: 2 ran)"),
            "basics/array_int_repr.py=pass:");
  EXPECT_EQ(parse("FAIL  basics/int_big.py raw REPL failed"), "basics/int_big.py=fail:");
  EXPECT_EQ(parse("skip  basics/builtin_range_binop.py"), "basics/builtin_range_binop.py=skip:");
  EXPECT_EQ(parse("lrge  extmod/big.py"), "extmod/big.py=skip:too large");
  // run-natmodtests.py's words.
  EXPECT_EQ(parse("SKIP  natmod/btree_x.py"), "natmod/btree_x.py=skip:");
  EXPECT_EQ(parse("LRGE  natmod/big.py"), "natmod/big.py=skip:too large");
  EXPECT_EQ(parse("TRUTH FAIL  natmod/re_x.py"), "natmod/re_x.py=fail:");
  for (absl::string_view other : {"platform=linux arch=x64", "576 tests performed", "pass  ",
                                  "passed basics/a.py", "pass basics/a.py", ""}) {
    EXPECT_EQ(parse(other), "-") << other;
  }
}

TEST_F(ScriptHarnessTest, ExitStatusIsNotTrusted) {
  proto::HarnessRequest request = Request("RUN-TESTS_STANDARD");
  request.mutable_spec()->add_args("--fake-exit=0");
  absl::StatusOr<proto::HarnessResult> result = ScriptHarness(RunnerKind::kRunTests).Run(request);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(Verdicts(*result), ::testing::Contains("basics/broken.py=fail"));

  proto::HarnessRequest missing = Request("RUN-TESTS_STANDARD");
  missing.mutable_spec()->add_args("--fake-no-results");
  missing.mutable_spec()->add_args("--fake-exit=0");
  absl::StatusOr<proto::HarnessResult> none = ScriptHarness(RunnerKind::kRunTests).Run(missing);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(none.status().message(), HasSubstr("exited 0 and left no usable _results.json"));
  EXPECT_THAT(none.status().message(), HasSubstr("4 tests performed"));
}

TEST_F(ScriptHarnessTest, ViaMpyGetsTheBuildsMpyCrossAndSpecEnvWins) {
  proto::HarnessRequest request = Request("RUN-TESTS_STANDARD_VIA_MPY");
  request.mutable_spec()->add_args("--via-mpy");
  (*request.mutable_spec()->mutable_env())["MICROPY_TEST_TIMEOUT"] = "7";
  const std::string mpy_cross = NewTempDir("build") + "/mpy-cross";
  {
    std::ofstream script(mpy_cross);
    script << "#!/bin/sh\necho fake-mpy-cross-from-the-build\n";
  }
  fs::permissions(mpy_cross, fs::perms::owner_all);
  request.mutable_firmware()->set_mpy_cross(mpy_cross);
  absl::StatusOr<proto::HarnessResult> result = ScriptHarness(RunnerKind::kRunTests).Run(request);
  ASSERT_TRUE(result.ok()) << result.status();
  const std::string invocation = Invocation(request);
  EXPECT_THAT(invocation, HasSubstr("\"MICROPY_MPYCROSS\": \"" + mpy_cross + "\""));
  EXPECT_THAT(invocation, HasSubstr("fake-mpy-cross-from-the-build"));
  EXPECT_THAT(invocation, HasSubstr("\"MICROPY_TEST_TIMEOUT\": \"7\""));
}

TEST_F(ScriptHarnessTest, ExecptyTentacleTestInstance) {
  proto::HarnessRequest request = Request("RUN-TESTS_STANDARD");
  proto::Tentacle* tentacle = request.mutable_tentacles(0);
  tentacle->mutable_entry()->set_type("execpty");
  tentacle->mutable_entry()->add_command("qemu-system-arm");
  tentacle->mutable_entry()->add_command("-kernel");
  tentacle->mutable_entry()->add_command("{firmware}");
  tentacle->set_console("/state/tty");
  request.mutable_firmware()->set_path("/fw/firmware.elf");
  // A command that is the console: run-tests.py talks to the tentacle's own emulator.
  EXPECT_EQ(TestInstance(*tentacle, request.firmware()), "port:/state/tty");
  absl::StatusOr<proto::HarnessResult> result = ScriptHarness(RunnerKind::kRunTests).Run(request);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(Invocation(request), HasSubstr("--test-instance=port:/state/tty"));
  // One that announces a pty (qemu): run-tests.py starts it itself, as by hand, on the image the
  // tentacle runs (its own, paused meanwhile, runs nothing).
  (*tentacle->mutable_entry()->mutable_tags())["console"] = "announced";
  EXPECT_EQ(TestInstance(*tentacle, request.firmware()),
            "execpty:qemu-system-arm -kernel /fw/firmware.elf");
  (*tentacle->mutable_runtime())["firmware"] = "/proc/self/exe";  // a file: the flashed image
  EXPECT_EQ(TestInstance(*tentacle, request.firmware()),
            "execpty:qemu-system-arm -kernel /proc/self/exe");
  tentacle->mutable_runtime()->erase("firmware");
  (*tentacle->mutable_entry()->mutable_tags())["test_instance"] = "port";
  EXPECT_EQ(TestInstance(*tentacle, request.firmware()), "port:/state/tty");
  (*tentacle->mutable_entry()->mutable_tags())["test_instance"] = "execpty";
  EXPECT_EQ(TestInstance(*tentacle, request.firmware()),
            "execpty:qemu-system-arm -kernel /fw/firmware.elf");
  (*tentacle->mutable_entry()->mutable_tags())["test_instance"] = "unix";
  EXPECT_EQ(TestInstance(*tentacle, request.firmware()), "unix");
  absl::StatusOr<RunnerCommand> unix = PlanRunnerCommand(RunnerKind::kRunTests, request, {});
  ASSERT_TRUE(unix.ok()) << unix.status();
  EXPECT_EQ(unix->env["MICROPY_MICROPYTHON"], "/fw/firmware.elf");
}

TEST_F(ScriptHarnessTest, UnixPortRunsAsRunTestsUnixTargetWithTheFlashedBinary) {
  proto::HarnessRequest request = Request("RUN-TESTS_STANDARD");
  proto::Tentacle* tentacle = request.mutable_tentacles(0);
  tentacle->mutable_entry()->set_type("execpty");
  tentacle->mutable_entry()->add_command("{firmware}");
  tentacle->mutable_board()->set_port("unix");
  tentacle->set_console("/state/tty");
  request.mutable_firmware()->set_path("/fw/micropython");
  EXPECT_EQ(TestInstance(*tentacle, request.firmware()), "unix");
  // Nothing flashed yet: the firmware; then the tentacle's own copy, which --flash_skip keeps.
  EXPECT_EQ(FlashedImage(*tentacle, request.firmware()), "/fw/micropython");
  (*tentacle->mutable_entry()->mutable_tags())["firmware"] = "/initial/micropython";
  EXPECT_EQ(FlashedImage(*tentacle, request.firmware()), "/initial/micropython");
  const std::string flashed = NewTempDir("tentacle") + "/firmware";
  std::ofstream(flashed) << "binary";
  (*tentacle->mutable_runtime())["firmware"] = flashed;
  absl::StatusOr<RunnerCommand> command = PlanRunnerCommand(RunnerKind::kRunTests, request, {});
  ASSERT_TRUE(command.ok()) << command.status();
  EXPECT_EQ(command->argv[2], "--test-instance=unix");
  EXPECT_EQ(command->env["MICROPY_MICROPYTHON"], flashed);
}

TEST_F(ScriptHarnessTest, ARunnerThatDropsSelectedTestsIsAnErrorNotAPass) {
  proto::HarnessRequest request = Request("RUN-TESTS_STANDARD");
  request.mutable_spec()->add_args("-d");
  request.mutable_spec()->add_args("basics");
  ASSERT_TRUE(ScriptHarness(RunnerKind::kRunTests).Run(request).ok());
  (*request.mutable_spec()->mutable_env())["FAKE_DROP_LAST"] = "1";
  request.set_result_dir(NewTempDir("dropped"));
  absl::StatusOr<proto::HarnessResult> dropped = ScriptHarness(RunnerKind::kRunTests).Run(request);
  ASSERT_FALSE(dropped.ok());
  EXPECT_EQ(dropped.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(dropped.status().message(), HasSubstr("reported 3 of the 4 selected tests"));
  EXPECT_THAT(dropped.status().message(), HasSubstr("basics/skipped.py"));
}

TEST_F(ScriptHarnessTest, TimeoutIsAnError) {
  proto::HarnessRequest request = Request("RUN-TESTS_STANDARD");
  request.mutable_spec()->add_args("--fake-sleep=30");
  request.set_timeout_s(0.5);
  absl::StatusOr<proto::HarnessResult> result = ScriptHarness(RunnerKind::kRunTests).Run(request);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(result.status().message(), HasSubstr("RUN-TESTS_STANDARD"));
}

TEST_F(ScriptHarnessTest, MultitestsNeedTwoTentaclesAndExpandGlobs) {
  proto::HarnessRequest request = Request("RUN-MULTITESTS_MULTINET");
  request.mutable_spec()->add_args("multi_net/*.py");
  request.mutable_spec()->add_args("--exclude=multi_net/udp_*.py");
  ScriptHarness harness(RunnerKind::kRunMultitests);
  absl::StatusOr<proto::HarnessResult> one = harness.Run(request);
  ASSERT_FALSE(one.ok());
  EXPECT_THAT(one.status().message(), HasSubstr("needs 2 tentacle(s), got 1"));

  *request.add_tentacles() = Tentacle("/dev/ttyFAKE1");
  absl::StatusOr<proto::HarnessResult> result = harness.Run(request);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(Verdicts(*result), ElementsAre("multi_net/tcp_fake.py=pass"));
  const std::string invocation = Invocation(request);
  EXPECT_THAT(invocation, HasSubstr("run-multitests.py"));
  EXPECT_THAT(invocation, HasSubstr("port:/dev/ttyFAKE0"));
  EXPECT_THAT(invocation, HasSubstr("port:/dev/ttyFAKE1"));
  EXPECT_THAT(invocation, Not(HasSubstr("udp_fake")));

  proto::HarnessRequest nothing = Request("RUN-MULTITESTS_MULTINET");
  *nothing.add_tentacles() = Tentacle("/dev/ttyFAKE1");
  nothing.mutable_spec()->add_args("multi_nothing/*.py");
  EXPECT_THAT(harness.Run(nothing).status().message(), HasSubstr("matches no test file"));
}

TEST_F(ScriptHarnessTest, PerfbenchTakesNAndMFromTheBoard) {
  proto::HarnessRequest request = Request("RUN-PERFBENCH");
  ScriptHarness harness(RunnerKind::kRunPerfbench);
  absl::StatusOr<RunnerCommand> defaults =
      PlanRunnerCommand(RunnerKind::kRunPerfbench, request, {});
  ASSERT_TRUE(defaults.ok());
  EXPECT_THAT(defaults->argv, ::testing::IsSupersetOf({"100"}));
  request.mutable_tentacles(0)->mutable_board()->add_perftest_args("48");
  request.mutable_tentacles(0)->mutable_board()->add_perftest_args("20");
  absl::StatusOr<proto::HarnessResult> result = harness.Run(request);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(Verdicts(*result), ElementsAre("perf_bench/bm_fake.py=pass"));
  EXPECT_THAT(Invocation(request), HasSubstr("\"48\",\n  \"20\""));
}

TEST_F(ScriptHarnessTest, NatmodtestsRunTheGivenFiles) {
  proto::HarnessRequest request = Request("RUN-NATMODTESTS");
  request.mutable_spec()->add_args("extmod/re*.py");
  ScriptHarness harness(RunnerKind::kRunNatmodtests);
  std::vector<std::string> reports;  // as the runner printed them: the total not known yet
  harness.SetTestReporter([&reports](const proto::TestProgress& progress) {
    reports.push_back(absl::StrCat(progress.index(), "/", progress.total(), " ",
                                   progress.outcome().name(), "=", progress.outcome().outcome()));
  });
  absl::StatusOr<proto::HarnessResult> result = harness.Run(request);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(Verdicts(*result), ElementsAre("extmod/re1.py=pass"));
  EXPECT_THAT(reports, ElementsAre("1/0 extmod/re1.py=pass"));
  EXPECT_THAT(Invocation(request), HasSubstr("run-natmodtests.py"));
}

TEST_F(ScriptHarnessTest, MissingRunnerIsAnError) {
  proto::HarnessRequest request = Request("RUN-TESTS_STANDARD");
  request.set_tests_dir(NewTempDir("empty"));
  absl::StatusOr<proto::HarnessResult> result = ScriptHarness(RunnerKind::kRunTests).Run(request);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), HasSubstr("run-tests.py does not exist"));
}

}  // namespace
}  // namespace mptest::harnesses
