// Tests for RunCommand: results, errors, timeouts, process-group teardown and fd hygiene.
#include "core/process/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "core/process/test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::process {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class RunCommandTest : public ::testing::Test {
 protected:
  void SetUp() override { fds_before_ = testing::OpenFds(); }
  void TearDown() override {
    EXPECT_TRUE(testing::ChildPids().empty()) << "a child or zombie was left behind";
    EXPECT_EQ(testing::OpenFds(), fds_before_) << testing::DescribeFds(testing::OpenFds());
  }
  std::set<int> fds_before_;
};

CommandOptions Argv(std::vector<std::string> argv) {
  CommandOptions options;
  options.argv = std::move(argv);
  return options;
}

CommandResult RunOk(const CommandOptions& options) {
  absl::StatusOr<CommandResult> result = RunCommand(options);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : CommandResult();
}

TEST_F(RunCommandTest, CapturesMergedOutputAndExitCode) {
  CommandResult r = RunOk(Argv({"sh", "-c", "echo out; echo err >&2; exit 3"}));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.term_signal, 0);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.output, "out\nerr\n");
  EXPECT_EQ(r.Describe(), "exited 3");
}

TEST_F(RunCommandTest, ReportsSignal) {
  CommandResult r = RunOk(Argv({"sh", "-c", "kill -SEGV $$"}));
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_EQ(r.term_signal, SIGSEGV);
  EXPECT_THAT(r.Describe(), StartsWith("killed by SIGSEGV"));
}

TEST_F(RunCommandTest, MissingProgramIsAnErrorNamingIt) {
  absl::StatusOr<CommandResult> r = RunCommand(Argv({"no-such-program-mptest"}));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("no-such-program-mptest"));
  EXPECT_THAT(r.status().message(), HasSubstr("No such file or directory"));
  absl::StatusOr<CommandResult> r2 = RunCommand(Argv({"/nonexistent/prog"}));
  ASSERT_FALSE(r2.ok());
  EXPECT_THAT(r2.status().message(), HasSubstr("/nonexistent/prog"));
  EXPECT_FALSE(RunCommand(CommandOptions()).ok());
}

TEST_F(RunCommandTest, MissingCwdIsAnError) {
  CommandOptions options = Argv({"true"});
  options.cwd = "/nonexistent/dir";
  absl::StatusOr<CommandResult> r = RunCommand(options);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("/nonexistent/dir"));
}

TEST_F(RunCommandTest, EnvironmentCwdAndStdin) {
  setenv("MPTEST_UNSET_ME", "x", 1);
  CommandOptions options = Argv({"sh", "-c", "echo \"$FOO-${MPTEST_UNSET_ME:-gone}\"; pwd"});
  options.cwd = "/";
  options.env_set = {{"FOO", "bar"}};
  options.env_unset = {"MPTEST_UNSET_ME"};
  CommandResult r = RunOk(options);
  EXPECT_EQ(r.output, "bar-gone\n/\n");
  unsetenv("MPTEST_UNSET_ME");

  CommandOptions cat_options = Argv({"cat"});
  cat_options.stdin_data = std::string(1 << 20, 'i');
  CommandResult cat = RunOk(cat_options);
  EXPECT_EQ(cat.exit_code, 0);
  EXPECT_EQ(cat.output.size(), cat_options.stdin_data.size());
  EXPECT_EQ(cat.output, cat_options.stdin_data);
}

TEST_F(RunCommandTest, LargeOutputDoesNotHang) {
  CommandResult r = RunOk(Argv({"head", "-c", "4194305", "/dev/zero"}));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output.size(), 4194305u);
}

TEST_F(RunCommandTest, StdoutPathReceivesOutput) {
  CommandOptions options = Argv({"sh", "-c", "echo to-file; echo err >&2"});
  options.stdout_path = std::string(getenv("TEST_TMPDIR")) + "/out.txt";
  CommandResult r = RunOk(options);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, "");
  std::ifstream in(options.stdout_path);
  std::stringstream contents;
  contents << in.rdbuf();
  EXPECT_EQ(contents.str(), "to-file\nerr\n");
}

TEST_F(RunCommandTest, TimeoutTerminatesTheGroup) {
  CommandOptions options = Argv({"sh", "-c", "sleep 100 & echo $!; wait"});
  options.timeout = absl::Milliseconds(200);
  CommandResult r = RunOk(options);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.term_signal, SIGTERM);
  EXPECT_EQ(r.Describe(), "timed out after 200ms");
  int grandchild = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(r.output), &grandchild)) << r.output;
  EXPECT_TRUE(testing::WaitFor([&] { return !testing::ProcessRunning(grandchild); }));
}

TEST_F(RunCommandTest, IgnoredSigtermEscalatesToSigkill) {
  CommandOptions options = Argv({"sh", "-c", "trap '' TERM; while :; do :; done"});
  options.timeout = absl::Milliseconds(100);
  options.kill_grace = absl::Milliseconds(100);
  CommandResult r = RunOk(options);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.term_signal, SIGKILL);
}

TEST_F(RunCommandTest, GrandchildHoldingThePipeIsKilledWhenTheChildExits) {
  CommandResult r = RunOk(Argv({"sh", "-c", "sleep 100 & echo $!; exit 0"}));
  EXPECT_EQ(r.exit_code, 0);
  int grandchild = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(r.output), &grandchild)) << r.output;
  EXPECT_TRUE(testing::WaitFor([&] { return !testing::ProcessRunning(grandchild); }));
}

TEST_F(RunCommandTest, ChildInheritsOnlyStdio) {
  int leaky = open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
  ASSERT_GE(leaky, 0);
  CommandResult r = RunOk(Argv({"ls", "/proc/self/fd"}));
  close(leaky);
  std::vector<std::string> fds = absl::StrSplit(r.output, '\n', absl::SkipEmpty());
  // 0, 1, 2 and the directory ls itself opened to list.
  EXPECT_EQ(fds.size(), 4u) << r.output;
}

// StartCommand: the same child as RunCommand's, left running; the caller reads and reaps.
TEST_F(RunCommandTest, StartCommandLeavesTheCommandRunning) {
  absl::StatusOr<StartedCommand> started =
      StartCommand(Argv({"sh", "-c", "echo started; echo $$ $(ps -o pgid= $$); exec sleep 30"}));
  ASSERT_TRUE(started.ok()) << started.status();
  std::string output;
  char buffer[256];
  while (std::count(output.begin(), output.end(), '\n') < 2) {
    struct pollfd readable = {started->output_fd, POLLIN, 0};
    ASSERT_EQ(poll(&readable, 1, 10000), 1) << "no output within 10 s: " << output;
    ssize_t got = read(started->output_fd, buffer, sizeof(buffer));  // non-blocking
    ASSERT_GT(got, 0);
    output.append(buffer, static_cast<size_t>(got));
  }
  std::vector<std::string> lines = absl::StrSplit(output, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << output;
  EXPECT_EQ(lines[0], "started");
  std::vector<std::string> ids = absl::StrSplit(lines[1], ' ', absl::SkipEmpty());
  ASSERT_EQ(ids.size(), 2u) << lines[1];
  EXPECT_EQ(ids[0], std::to_string(started->pid));
  EXPECT_EQ(ids[1], std::to_string(started->pid)) << "not the leader of its own group";
  EXPECT_EQ(kill(-started->pid, SIGKILL), 0);
  int status = 0;
  EXPECT_EQ(waitpid(started->pid, &status, 0), started->pid);
  EXPECT_TRUE(WIFSIGNALED(status));
  close(started->output_fd);

  absl::StatusOr<StartedCommand> missing = StartCommand(Argv({"/nonexistent/prog"}));
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("cannot execute '/nonexistent/prog'"));
  CommandOptions with_timeout = Argv({"true"});
  with_timeout.timeout = absl::Seconds(1);
  EXPECT_EQ(StartCommand(with_timeout).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RunCommandTest, SignalNames) {
  EXPECT_EQ(SignalName(SIGSEGV), "SIGSEGV");
  EXPECT_EQ(SignalName(SIGKILL), "SIGKILL");
  EXPECT_EQ(SignalName(200), "signal 200");
}

}  // namespace
}  // namespace mptest::process
