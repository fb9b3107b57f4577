// Tests for RunCommand and StartCommand: results, errors, timeouts, process-group teardown, fd
// hygiene, and the launch options (inherited descriptors, sessions, a controlling terminal,
// detaching, the parent-death signal).
#include "core/process/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "core/process/posix_util.h"
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

TEST_F(RunCommandTest, OnLineSeesEachLineWhileTheCommandRunsAndTheFileKeepsIt) {
  // The command waits for a file that only the callback creates, once it has seen "first":
  // without live output the command would run into its timeout.
  const std::string go = std::string(getenv("TEST_TMPDIR")) + "/go";
  CommandOptions options =
      Argv({"sh", "-c", "echo first; while [ ! -e \"$1\" ]; do sleep 0.01; done; echo second >&2",
            "sh", go});
  options.stdout_path = std::string(getenv("TEST_TMPDIR")) + "/copied.txt";
  options.timeout = absl::Seconds(60);
  std::vector<std::string> seen;
  options.on_line = [&](absl::string_view line) {
    seen.emplace_back(line);
    if (line == "first") std::ofstream(go).put('x');
  };
  CommandResult r = RunOk(options);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_THAT(seen, ::testing::ElementsAre("first", "second"));
  EXPECT_EQ(r.output, "") << "with stdout_path the output goes to the file";
  std::ifstream in(options.stdout_path);
  std::stringstream contents;
  contents << in.rdbuf();
  EXPECT_EQ(contents.str(), "first\nsecond\n");

  // Without stdout_path the output is the result's as well; a line split across writes comes
  // whole, empty lines come, and the last line comes at the end without its newline.
  CommandOptions captured =
      Argv({"sh", "-c", "printf 'bo'; sleep 0.05; printf 'th\\n\\nlast'"});  // two writes
  std::vector<std::string> seen_too;
  captured.on_line = [&](absl::string_view line) { seen_too.emplace_back(line); };
  EXPECT_EQ(RunOk(captured).output, "both\n\nlast");
  EXPECT_THAT(seen_too, ::testing::ElementsAre("both", "", "last"));
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

// The fields of /proc/<pid>/stat after the command name: [0] state, [1] ppid, [2] pgrp,
// [3] session, [4] tty_nr.
std::vector<std::string> ProcStat(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close_paren = stat.rfind(')');
  if (close_paren == std::string::npos) return {};
  return absl::StrSplit(stat.substr(close_paren + 2), ' ', absl::SkipEmpty());
}

// Waits (up to 10 s) for a process that need not be our child to end.
bool WaitForExit(pid_t pid) {
  absl::StatusOr<UniqueFd> pidfd = PidfdOpen(pid);
  if (!pidfd.ok()) return true;  // gone already
  struct pollfd exited = {pidfd->get(), POLLIN, 0};
  return poll(&exited, 1, 10000) == 1;
}

// Writes `line` to `to` and reads the same back from `from`: the far end (a cat) is alive.
void ExpectEcho(int to, int from, const std::string& line) {
  ASSERT_EQ(write(to, line.data(), line.size()), static_cast<ssize_t>(line.size()));
  std::string got;
  char buffer[256];
  while (got.size() < line.size()) {
    struct pollfd readable = {from, POLLIN, 0};
    ASSERT_EQ(poll(&readable, 1, 10000), 1) << "no echo within 10 s: " << got;
    ssize_t n = read(from, buffer, sizeof(buffer));
    ASSERT_GT(n, 0);
    got.append(buffer, static_cast<size_t>(n));
  }
  EXPECT_EQ(got, line);
}

void KillAndReap(pid_t pid) {
  kill(pid, SIGKILL);
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
}

TEST_F(RunCommandTest, InheritFdsGivesTheChildExactlyThoseDescriptors) {
  int pipe_fds[2];
  ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
  CommandOptions options = Argv({"sh", "-c", "echo to-five >&5; ls /proc/self/fd"});
  options.inherit_fds = {{5, pipe_fds[1]}};
  CommandResult r = RunOk(options);
  close(pipe_fds[1]);
  std::vector<std::string> fds = absl::StrSplit(r.output, '\n', absl::SkipEmpty());
  // 0, 1, 2, 5 and the directory ls opened.
  EXPECT_EQ(fds.size(), 5u) << r.output;
  EXPECT_NE(std::find(fds.begin(), fds.end(), "5"), fds.end()) << r.output;
  char buffer[64];
  ssize_t n = read(pipe_fds[0], buffer, sizeof(buffer));
  close(pipe_fds[0]);
  EXPECT_EQ(std::string(buffer, n > 0 ? n : 0), "to-five\n");

  // {2, 2}: the caller's own stderr, here a file, not the captured output.
  const std::string err_path = std::string(getenv("TEST_TMPDIR")) + "/caller_stderr.txt";
  int err_file = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(err_file, 0);
  options = Argv({"sh", "-c", "echo out; echo err >&2"});
  options.inherit_fds = {{2, err_file}};
  r = RunOk(options);
  close(err_file);
  EXPECT_EQ(r.output, "out\n");
  std::ifstream err_in(err_path);
  std::string err_text((std::istreambuf_iterator<char>(err_in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(err_text, "err\n");
}

TEST_F(RunCommandTest, AppendKeepsWhatTheFileHeld) {
  CommandOptions options = Argv({"echo", "again"});
  options.stdout_path = std::string(getenv("TEST_TMPDIR")) + "/appended.txt";
  options.append = true;
  RunOk(options);
  RunOk(options);
  std::ifstream in(options.stdout_path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "again\nagain\n");
}

TEST_F(RunCommandTest, NewSessionMakesTheChildASessionLeaderWithoutATerminal) {
  CommandOptions options = Argv({"sleep", "30"});
  absl::StatusOr<StartedCommand> grouped = StartCommand(options);
  ASSERT_TRUE(grouped.ok()) << grouped.status();
  EXPECT_EQ(getsid(grouped->pid), getsid(0)) << "by default the child stays in our session";
  EXPECT_EQ(getpgid(grouped->pid), grouped->pid);
  KillAndReap(grouped->pid);
  close(grouped->output_fd);

  options.new_session = true;
  absl::StatusOr<StartedCommand> started = StartCommand(options);
  ASSERT_TRUE(started.ok()) << started.status();
  EXPECT_EQ(getsid(started->pid), started->pid);
  EXPECT_EQ(getpgid(started->pid), started->pid);
  std::vector<std::string> stat = ProcStat(started->pid);
  ASSERT_GE(stat.size(), 5u);
  EXPECT_EQ(stat[4], "0") << "a new session has no controlling terminal";
  KillAndReap(started->pid);
  close(started->output_fd);
}

TEST_F(RunCommandTest, ControllingTtyIsTheChildsConsoleAndControllingTerminal) {
  UniqueFd master(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  ASSERT_TRUE(master.valid());
  ASSERT_EQ(grantpt(master.get()), 0);
  ASSERT_EQ(unlockpt(master.get()), 0);
  char name[128];
  ASSERT_EQ(ptsname_r(master.get(), name, sizeof(name)), 0);
  UniqueFd slave(open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
  ASSERT_TRUE(slave.valid());
  struct termios raw;
  ASSERT_EQ(tcgetattr(slave.get(), &raw), 0);
  cfmakeraw(&raw);
  ASSERT_EQ(tcsetattr(slave.get(), TCSANOW, &raw), 0);
  struct stat slave_stat;
  ASSERT_EQ(fstat(slave.get(), &slave_stat), 0);

  CommandOptions options = Argv({"cat"});
  options.controlling_tty = slave.get();
  absl::StatusOr<StartedCommand> started = StartCommand(options);
  slave.reset();
  ASSERT_TRUE(started.ok()) << started.status();
  EXPECT_EQ(started->output_fd, -1) << "the console is the pty, not a pipe";
  EXPECT_EQ(getsid(started->pid), started->pid);
  std::vector<std::string> stat = ProcStat(started->pid);
  ASSERT_GE(stat.size(), 5u);
  EXPECT_EQ(stat[4], std::to_string(slave_stat.st_rdev)) << "not its controlling terminal";
  ExpectEcho(master.get(), master.get(), "ping\n");
  KillAndReap(started->pid);

  CommandOptions with_stdout = options;
  with_stdout.stdout_path = "/dev/null";
  EXPECT_EQ(StartCommand(with_stdout).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RunCommandTest, DetachReparentsTheCommandIntoASessionItDoesNotLead) {
  int to_cat[2], from_cat[2];
  ASSERT_EQ(pipe2(to_cat, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(from_cat, O_CLOEXEC), 0);
  CommandOptions options = Argv({"cat"});
  options.inherit_fds = {{0, to_cat[0]}, {1, from_cat[1]}};
  options.detach = true;
  absl::StatusOr<StartedCommand> started = StartCommand(options);
  close(to_cat[0]);
  close(from_cat[1]);
  ASSERT_TRUE(started.ok()) << started.status();
  close(started->output_fd);
  EXPECT_TRUE(testing::ChildPids().empty()) << "the intermediate was not reaped";
  std::vector<std::string> stat = ProcStat(started->pid);
  ASSERT_GE(stat.size(), 5u);
  EXPECT_NE(stat[1], std::to_string(getpid())) << "still our child";
  EXPECT_NE(getsid(started->pid), getsid(0));
  EXPECT_NE(getsid(started->pid), started->pid) << "a session leader may acquire a terminal";
  EXPECT_EQ(stat[4], "0");
  ExpectEcho(to_cat[1], from_cat[0], "detached\n");
  close(to_cat[1]);  // cat ends at end of file
  EXPECT_TRUE(WaitForExit(started->pid));
  close(from_cat[0]);

  CommandOptions run = Argv({"true"});
  run.detach = true;
  EXPECT_EQ(RunCommand(run).status().code(), absl::StatusCode::kInvalidArgument);
  // A failure in the detached process itself (here its chdir) still comes back as an error.
  CommandOptions bad_cwd = Argv({"true"});
  bad_cwd.detach = true;
  bad_cwd.cwd = "/nonexistent/dir";
  absl::StatusOr<StartedCommand> failed = StartCommand(bad_cwd);
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(), HasSubstr("cannot chdir to '/nonexistent/dir'"));
}

// A caller (a forked child of the test) starts a cat and exits; the cat dies with it, or
// outlives it when parent_death_signal is false (or when detached).
void StartCatAndExit(bool parent_death_signal, bool detach) {
  int to_cat[2], from_cat[2], report[2];
  ASSERT_EQ(pipe2(to_cat, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(from_cat, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(report, O_CLOEXEC), 0);
  pid_t caller = fork();
  ASSERT_GE(caller, 0);
  if (caller == 0) {
    CommandOptions options = Argv({"cat"});
    options.inherit_fds = {{0, to_cat[0]}, {1, from_cat[1]}};
    options.parent_death_signal = parent_death_signal;
    options.detach = detach;
    absl::StatusOr<StartedCommand> started = StartCommand(options);
    pid_t pid = started.ok() ? started->pid : -1;
    _exit(write(report[1], &pid, sizeof(pid)) == sizeof(pid) ? 0 : 1);
  }
  close(to_cat[0]);
  close(from_cat[1]);
  close(report[1]);
  pid_t cat = -1;
  ASSERT_EQ(read(report[0], &cat, sizeof(cat)), static_cast<ssize_t>(sizeof(cat)));
  close(report[0]);
  ASSERT_GT(cat, 0);
  int status = 0;
  ASSERT_EQ(waitpid(caller, &status, 0), caller);  // the caller is gone
  if (parent_death_signal && !detach) {
    EXPECT_TRUE(WaitForExit(cat)) << "the command outlived its caller";
  } else {
    ExpectEcho(to_cat[1], from_cat[0], "still here\n");
    close(to_cat[1]);
    EXPECT_TRUE(WaitForExit(cat));
  }
  close(to_cat[1]);
  close(from_cat[0]);
}

TEST_F(RunCommandTest, CommandDiesWithItsCallerByDefault) { StartCatAndExit(true, false); }

TEST_F(RunCommandTest, CommandOutlivesItsCallerWithoutParentDeathSignal) {
  StartCatAndExit(false, false);
}

TEST_F(RunCommandTest, DetachedCommandOutlivesItsCaller) { StartCatAndExit(true, true); }

TEST_F(RunCommandTest, SignalNames) {
  EXPECT_EQ(SignalName(SIGSEGV), "SIGSEGV");
  EXPECT_EQ(SignalName(SIGKILL), "SIGKILL");
  EXPECT_EQ(SignalName(200), "signal 200");
}

}  // namespace
}  // namespace mptest::process
