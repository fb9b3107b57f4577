// The fault matrix: every way a target can end, in each context, gives exactly the specified
// result or error, and afterwards /proc shows no child, zombie or extra descriptor.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "core/bus/event_sender.h"
#include "core/process/pcall.h"
#include "core/process/test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::process {
namespace {

using ::testing::HasSubstr;

#if defined(__SANITIZE_THREAD__)
// ThreadSanitizer shadows every byte it touches and runs ~10x slower: a 256 MiB result takes
// minutes there, so under tsan only the size changes (still far above the 64 KiB pipe buffer).
constexpr size_t kBigResult = size_t{16} << 20;
#else
constexpr size_t kBigResult = size_t{256} << 20;
#endif

struct NotAnException {
  int code;
};

int Return7() { return 7; }
int ThrowStd() { throw std::runtime_error("boom from the child"); }
int ThrowNonStd() { throw NotAnException{42}; }
int Abort() {
  struct rlimit no_core = {0, 0};
  setrlimit(RLIMIT_CORE, &no_core);  // deterministic: no core file in the sandbox
  abort();
}
// A real invalid memory access, not raise(SIGSEGV): exempt from UBSan, which would otherwise
// report the null store as undefined behaviour and exit before the fault happens.
__attribute__((no_sanitize_undefined)) int Segv() {
  struct rlimit no_core = {0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  signal(SIGSEGV, SIG_DFL);  // a sanitizer runtime would otherwise report and abort
  volatile int* null = nullptr;
  *null = 1;
  return 0;
}
int Exit3() { _exit(3); }
int Hang() {
  for (;;) pause();
}
// Starts a grandchild that would sleep forever and returns its pid.
int StartHangingGrandchild() {
  pid_t pid = fork();
  if (pid == 0) {
    for (;;) pause();
  }
  return pid;
}
// Starts a hanging grandchild, reports its pid as an event, then hangs itself.
int HangWithGrandchild() {
  pid_t pid = fork();
  if (pid == 0) {
    for (;;) pause();
  }
  proto::Event event;
  event.mutable_log_line()->set_text(std::to_string(pid));
  bus::SendEvent(event).IgnoreError();
  for (;;) pause();
}
// Reports `pid` to the parent as a log-line event (the test reads it from the bus).
void ReportPid(pid_t pid) {
  proto::Event event;
  event.mutable_log_line()->set_text(std::to_string(pid));
  bus::SendEvent(event).IgnoreError();
}
// Forks a grandchild that leaves the child's process group and session (setsid) and hangs.
pid_t StartSetsidGrandchild() {
  pid_t pid = fork();
  if (pid == 0) {
    setsid();
    for (;;) pause();
  }
  return pid;
}
// Daemonizes the classic way: fork, setsid, fork again, the middle process exits at once.
// Returns the daemon's pid (the middle process hands it back through a pipe).
pid_t StartDaemon() {
  int report[2];
  if (pipe(report) != 0) return -1;
  pid_t middle = fork();
  if (middle == 0) {
    close(report[0]);
    setsid();
    pid_t daemon = fork();
    if (daemon == 0) {
      close(report[1]);
      for (;;) pause();
    }
    ssize_t ignored = write(report[1], &daemon, sizeof(daemon));
    (void)ignored;
    _exit(0);
  }
  close(report[1]);
  pid_t daemon = -1;
  if (read(report[0], &daemon, sizeof(daemon)) != sizeof(daemon)) daemon = -1;
  close(report[0]);
  waitpid(middle, nullptr, 0);
  return daemon;
}
int HangWithSetsidGrandchild() {
  ReportPid(StartSetsidGrandchild());
  for (;;) pause();
}
int HangWithDaemon() {
  ReportPid(StartDaemon());
  for (;;) pause();
}
int ReturnWithSetsidGrandchild() { return StartSetsidGrandchild(); }
int ReturnWithDaemon() { return StartDaemon(); }
// Leaves a setsid grandchild and a daemon, then exits without returning: the child cannot end
// them itself, so the parent must.
int ExitLeavingEscapedProcesses() {
  ReportPid(StartSetsidGrandchild());
  ReportPid(StartDaemon());
  _exit(3);
}
// The same after a while, so that the caller can start processes of its own meanwhile.
int WaitThenExitLeavingEscapedProcesses() {
  ReportPid(StartSetsidGrandchild());
  ReportPid(StartDaemon());
  usleep(300 * 1000);
  _exit(3);
}
std::string BigResult() {
  std::string result(kBigResult, 'r');
  result.front() = 'F';
  result.back() = 'L';
  return result;
}
int CloseStdio() {
  close(STDOUT_FILENO);
  close(STDERR_FILENO);
  return 5;
}
MPTEST_REGISTER_TARGET(Return7);
MPTEST_REGISTER_TARGET(ThrowStd);
MPTEST_REGISTER_TARGET(ThrowNonStd);
MPTEST_REGISTER_TARGET(Abort);
MPTEST_REGISTER_TARGET(Segv);
MPTEST_REGISTER_TARGET(Exit3);
MPTEST_REGISTER_TARGET(Hang);
MPTEST_REGISTER_TARGET(StartHangingGrandchild);
MPTEST_REGISTER_TARGET(HangWithGrandchild);
MPTEST_REGISTER_TARGET(HangWithSetsidGrandchild);
MPTEST_REGISTER_TARGET(HangWithDaemon);
MPTEST_REGISTER_TARGET(ReturnWithSetsidGrandchild);
MPTEST_REGISTER_TARGET(ReturnWithDaemon);
MPTEST_REGISTER_TARGET(ExitLeavingEscapedProcesses);
MPTEST_REGISTER_TARGET(WaitThenExitLeavingEscapedProcesses);
MPTEST_REGISTER_TARGET(BigResult);
MPTEST_REGISTER_TARGET(CloseStdio);

class FaultMatrixTest : public ::testing::TestWithParam<Context> {
 protected:
  void SetUp() override { fds_before_ = testing::OpenFds(); }
  void TearDown() override {
    EXPECT_TRUE(testing::ChildPids().empty()) << "a child or zombie was left behind";
    EXPECT_EQ(testing::OpenFds(), fds_before_) << testing::DescribeFds(testing::OpenFds());
  }
  PcallOptions Options() const {
    PcallOptions options;
    options.context = GetParam();
    options.timeout = absl::Seconds(20);
    options.kill_grace = absl::Milliseconds(200);
    return options;
  }
  // Runs `target` once and returns its error (the test fails if it succeeded).
  template <typename F>
  proto::ChildError ErrorOf(F target, PcallOptions options, absl::StatusCode expected_code) {
    auto result = pcall(target, options);
    EXPECT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), expected_code) << result.status();
    std::optional<ChildProcessError> error = GetChildProcessError(result.status());
    EXPECT_TRUE(error.has_value()) << result.status();
    if (!error.has_value()) return proto::ChildError();
    EXPECT_EQ(error->error.call_index(), 0);
    EXPECT_GT(error->error.pid(), 0);
    return error->error;
  }
  std::set<int> fds_before_;
};

TEST_P(FaultMatrixTest, Return) {
  auto result = pcall(Return7, Options());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(*result, std::vector<int>{7});
}

TEST_P(FaultMatrixTest, ThrowStdException) {
  proto::ChildError e = ErrorOf(ThrowStd, Options(), absl::StatusCode::kAborted);
  EXPECT_EQ(e.kind(), proto::ChildError::EXCEPTION);
  EXPECT_EQ(e.target(), "ThrowStd");
  EXPECT_EQ(e.exception().exception_type(), "std::runtime_error");
  EXPECT_EQ(e.exception().message(), "boom from the child");
  EXPECT_THAT(e.exception().backtrace(), HasSubstr("ThrowStd")) << e.DebugString();
  EXPECT_THAT(ChildProcessError{e}.Summary(),
              HasSubstr("call 0 of 'ThrowStd' (pid " + std::to_string(e.pid()) +
                        ") threw std::runtime_error: boom from the child"));
}

TEST_P(FaultMatrixTest, ThrowNonStdType) {
  proto::ChildError e = ErrorOf(ThrowNonStd, Options(), absl::StatusCode::kAborted);
  EXPECT_EQ(e.kind(), proto::ChildError::EXCEPTION);
  EXPECT_EQ(e.exception().exception_type(),
            "mptest::process::(anonymous namespace)::NotAnException");
  EXPECT_THAT(e.exception().message(), HasSubstr("does not derive from std::exception"));
  EXPECT_THAT(e.exception().backtrace(), HasSubstr("ThrowNonStd"));
}

TEST_P(FaultMatrixTest, Abort) {
  proto::ChildError e = ErrorOf(Abort, Options(), absl::StatusCode::kAborted);
  EXPECT_EQ(e.kind(), proto::ChildError::SIGNALED);
  EXPECT_EQ(e.signal(), SIGABRT);
  EXPECT_FALSE(e.core_dumped());
  EXPECT_THAT(ChildProcessError{e}.Summary(), HasSubstr("was killed by SIGABRT"));
}

TEST_P(FaultMatrixTest, Segv) {
  proto::ChildError e = ErrorOf(Segv, Options(), absl::StatusCode::kAborted);
  EXPECT_EQ(e.kind(), proto::ChildError::SIGNALED);
  EXPECT_EQ(e.signal(), SIGSEGV);
  EXPECT_THAT(ChildProcessError{e}.Summary(), HasSubstr("was killed by SIGSEGV"));
}

TEST_P(FaultMatrixTest, ExitWithoutReturning) {
  proto::ChildError e = ErrorOf(Exit3, Options(), absl::StatusCode::kAborted);
  EXPECT_EQ(e.kind(), proto::ChildError::EXITED);
  EXPECT_EQ(e.exit_code(), 3);
  EXPECT_THAT(ChildProcessError{e}.Summary(), HasSubstr("exited 3 without returning a result"));
}

TEST_P(FaultMatrixTest, HangIsTerminatedAtTheTimeout) {
  PcallOptions options = Options();
  options.timeout = absl::Milliseconds(300);
  Pcall p(Hang, options);
  ASSERT_TRUE(p.start().ok());
  const pid_t pid = p.pids().at(0);
  absl::Status status = p.join();
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  EXPECT_THAT(status.message(), HasSubstr("call 0 of 'Hang' (pid " + std::to_string(pid) + ")"));
  auto e = GetChildProcessError(status);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->error.kind(), proto::ChildError::TIMED_OUT);
  EXPECT_EQ(e->error.signal(), SIGTERM);
  EXPECT_FALSE(testing::ProcessRunning(pid));
}

TEST_P(FaultMatrixTest, GrandchildThatHangsIsEndedWhenTheChildReturns) {
  auto result = pcall(StartHangingGrandchild, Options());
  ASSERT_TRUE(result.ok()) << result.status();
  const pid_t grandchild = result->at(0);
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(testing::WaitFor([&] { return !testing::ProcessRunning(grandchild); }));
}

TEST_P(FaultMatrixTest, GrandchildThatHangsIsEndedAtTheTimeout) {
  bus::EventBus bus;
  pid_t grandchild = 0;
  bus.SubscribeTo(proto::Event::kLogLine,
                  [&](const proto::Event& e) { grandchild = std::stoi(e.log_line().text()); });
  PcallOptions options = Options();
  options.timeout = absl::Milliseconds(300);
  options.bus = &bus;
  auto result = pcall(HangWithGrandchild, options);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDeadlineExceeded);
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(testing::WaitFor([&] { return !testing::ProcessRunning(grandchild); }));
}

// Targets that report the pids of processes they started as log-line events.
class EscapedProcessTest : public FaultMatrixTest {
 protected:
  PcallOptions OptionsWithBus(absl::Duration timeout) {
    bus_.SubscribeTo(proto::Event::kLogLine, [this](const proto::Event& e) {
      reported_.push_back(std::stoi(e.log_line().text()));
    });
    PcallOptions options = Options();
    options.timeout = timeout;
    options.bus = &bus_;
    return options;
  }
  // Every reported process is gone as soon as the pcall has returned: no waiting.
  void ExpectAllGone(size_t expected_count) {
    ASSERT_EQ(reported_.size(), expected_count);
    for (pid_t pid : reported_) {
      EXPECT_GT(pid, 0);
      EXPECT_FALSE(testing::ProcessRunning(pid)) << "pid " << pid << " outlived the pcall";
    }
  }
  bus::EventBus bus_;
  std::vector<pid_t> reported_;
};

TEST_P(EscapedProcessTest, SetsidGrandchildThatHangsIsEndedAtTheTimeout) {
  Pcall p(HangWithSetsidGrandchild, OptionsWithBus(absl::Milliseconds(300)));
  ASSERT_TRUE(p.start().ok());
  const pid_t pid = p.pids().at(0);
  absl::Status status = p.join();
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  EXPECT_THAT(status.message(),
              HasSubstr("call 0 of 'HangWithSetsidGrandchild' (pid " + std::to_string(pid) + ")"));
  auto e = GetChildProcessError(status);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->error.kind(), proto::ChildError::TIMED_OUT);
  ExpectAllGone(1);
}

TEST_P(EscapedProcessTest, DaemonThatHangsIsEndedAtTheTimeout) {
  auto result = pcall(HangWithDaemon, OptionsWithBus(absl::Milliseconds(300)));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDeadlineExceeded) << result.status();
  auto e = GetChildProcessError(result.status());
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->error.kind(), proto::ChildError::TIMED_OUT);
  EXPECT_EQ(e->error.target(), "HangWithDaemon");
  ExpectAllGone(1);
}

TEST_P(EscapedProcessTest, SetsidGrandchildIsEndedWhenTheTargetReturns) {
  auto result = pcall(ReturnWithSetsidGrandchild, Options());
  ASSERT_TRUE(result.ok()) << result.status();
  reported_ = *result;
  ExpectAllGone(1);
}

TEST_P(EscapedProcessTest, DaemonIsEndedWhenTheTargetReturns) {
  auto result = pcall(ReturnWithDaemon, Options());
  ASSERT_TRUE(result.ok()) << result.status();
  reported_ = *result;
  ExpectAllGone(1);
}

TEST_P(EscapedProcessTest, EscapedProcessesAreEndedWhenTheChildExitsAbruptly) {
  auto result = pcall(ExitLeavingEscapedProcesses, OptionsWithBus(absl::Seconds(20)));
  auto e = GetChildProcessError(result.status());
  ASSERT_TRUE(e.has_value()) << result.status();
  EXPECT_EQ(e->error.kind(), proto::ChildError::EXITED);
  EXPECT_EQ(e->error.exit_code(), 3);
  ExpectAllGone(2);
}

// The caller's own detached process, started while a child runs and re-parented to the caller
// (a subreaper) like the child's leftovers, is not one of them: only what the child's tree
// reported or a kill found is ended.
TEST_P(EscapedProcessTest, TheCallersOwnDetachedProcessIsLeftAlone) {
  Pcall p(WaitThenExitLeavingEscapedProcesses, OptionsWithBus(absl::Seconds(20)));
  ASSERT_TRUE(p.start().ok());
  const pid_t own_daemon = StartDaemon();  // in the caller, during the child's life
  ASSERT_GT(own_daemon, 0);
  absl::Status status = p.join();
  auto e = GetChildProcessError(status);
  ASSERT_TRUE(e.has_value()) << status;
  EXPECT_EQ(e->error.kind(), proto::ChildError::EXITED);
  ExpectAllGone(2);
  EXPECT_TRUE(testing::ProcessRunning(own_daemon));
  kill(own_daemon, SIGKILL);
  EXPECT_TRUE(testing::WaitFor([&] { return waitpid(own_daemon, nullptr, WNOHANG) != 0; }));
}

TEST_P(FaultMatrixTest, HugeResultArrivesIntact) {
  auto result = pcall(BigResult, Options());
  ASSERT_TRUE(result.ok()) << result.status();
  const std::string& big = result->at(0);
  ASSERT_EQ(big.size(), kBigResult);
  EXPECT_EQ(big.front(), 'F');
  EXPECT_EQ(big.back(), 'L');
  EXPECT_EQ(big.find_first_not_of('r', 1), kBigResult - 1);
}

TEST_P(FaultMatrixTest, ClosedStdoutAndStderrDoNotMatter) {
  auto result = pcall(CloseStdio, Options());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(*result, std::vector<int>{5});
}

std::string ContextParamName(const ::testing::TestParamInfo<Context>& info) {
  return ContextName(info.param);
}
INSTANTIATE_TEST_SUITE_P(Processes, FaultMatrixTest,
                         ::testing::Values(Context::kFork, Context::kSpawn), ContextParamName);
INSTANTIATE_TEST_SUITE_P(Processes, EscapedProcessTest,
                         ::testing::Values(Context::kFork, Context::kSpawn), ContextParamName);

// Inline: the faults that leave the caller alive.
class InlineFaultTest : public ::testing::Test {
 protected:
  PcallOptions Options() const {
    PcallOptions options;
    options.context = Context::kInline;
    return options;
  }
};

TEST_F(InlineFaultTest, ReturnThrowAndHugeResult) {
  auto ok = pcall(Return7, Options());
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, std::vector<int>{7});

  auto threw = pcall(ThrowStd, Options());
  auto e = GetChildProcessError(threw.status());
  ASSERT_TRUE(e.has_value()) << threw.status();
  EXPECT_EQ(e->error.kind(), proto::ChildError::EXCEPTION);
  EXPECT_EQ(e->error.exception().exception_type(), "std::runtime_error");
  EXPECT_EQ(e->error.exception().message(), "boom from the child");
  EXPECT_EQ(e->error.pid(), getpid());

  auto non_std = GetChildProcessError(pcall(ThrowNonStd, Options()).status());
  ASSERT_TRUE(non_std.has_value());
  EXPECT_EQ(non_std->error.exception().exception_type(),
            "mptest::process::(anonymous namespace)::NotAnException");

  auto big = pcall(BigResult, Options());
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->at(0).size(), kBigResult);
}

}  // namespace
}  // namespace mptest::process
