// Pcall behaviour beyond the seed examples: concurrency cap, failure policies, lifecycle,
// timeouts, events, malformed channels, per-child logs, interrupts and parent death.
#include "core/process/pcall.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

#include "absl/strings/str_cat.h"
#include "core/bus/event_sender.h"
#include "core/process/test_util.h"
#include "glog/logging.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::process {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

MPTEST_KEYWORD(c, int);

int64_t MonotonicNanos() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// Returns when it started and ended.
std::pair<int64_t, int64_t> Busy(int millis) {
  int64_t start = MonotonicNanos();
  usleep(static_cast<useconds_t>(millis) * 1000);
  return {start, MonotonicNanos()};
}
int Ok1() { return 1; }
int SlowThrow() {
  usleep(100 * 1000);
  throw std::runtime_error("first in call order");
}
int QuickExit3() { _exit(3); }
int QuickThrow() { throw std::logic_error("quick failure"); }
int HangForever() {
  for (;;) pause();
}
int IgnoreTermAndHang() {
  signal(SIGTERM, SIG_IGN);
  proto::Event ready;
  ready.mutable_log_line()->set_text("ready");
  bus::SendEvent(ready).IgnoreError();
  for (;;) pause();
}
int LogAndHang() {
  LOG(INFO) << "logged before the interrupt by " << getpid();
  proto::Event ready;
  ready.mutable_log_line()->set_text("ready");
  bus::SendEvent(ready).IgnoreError();
  for (;;) pause();
}
int SendEvents(int count) {
  for (int i = 0; i < count; ++i) {
    proto::Event event;
    event.mutable_log_line()->set_text(std::to_string(i));
    if (!bus::SendEvent(event).ok()) return -1;
  }
  return count;
}
// A small event, one too large for the event ring (it goes through the pipe), a small one.
int MixedSizeEvents() {
  for (const std::string& text :
       {std::string("first"), std::string(100 << 10, 'b'), std::string("last")}) {
    proto::Event event;
    event.mutable_log_line()->set_text(text);
    if (!bus::SendEvent(event).ok()) return -1;
  }
  return 3;
}
MPTEST_REGISTER_TARGET(MixedSizeEvents);

int EventThenSegv() {
  proto::Event event;
  event.mutable_log_line()->set_text("last words");
  bus::SendEvent(event).IgnoreError();
  signal(SIGSEGV, SIG_DFL);
  raise(SIGSEGV);
  return 0;
}
int OversizedFrame() {
  const char header[4] = {'\xff', '\xff', '\xff', '\x7f'};  // announces 2 GiB
  ssize_t ignored = write(bus::CurrentChannelFd(), header, sizeof(header));
  (void)ignored;
  for (;;) pause();
}
int LogMessage() {
  LOG(INFO) << "this is a message from " << getpid();
  return getpid();
}
std::string ResultOfSize(int size) { return std::string(static_cast<size_t>(size), 'z'); }
MPTEST_REGISTER_TARGET(ResultOfSize);
MPTEST_REGISTER_TARGET(IgnoreTermAndHang);

// A parameter that cannot cross an exec (a pointer): fine for fork, refused by spawn.
// (MPTEST_REGISTER_TARGET(Deref) would not compile: the codec's static_assert explains why.)
int Deref(const int* value) { return *value; }

int ReadMissingKeyword(const Kwargs<c_kw>& kwargs) { return kwargs[kw::c]; }
// Registered so that they have names in messages (and can run in the spawn context).
MPTEST_REGISTER_TARGET(LogMessage);
MPTEST_REGISTER_TARGET(SendEvents);
MPTEST_REGISTER_TARGET(Ok1);
MPTEST_REGISTER_TARGET(SlowThrow);
MPTEST_REGISTER_TARGET(QuickExit3);
MPTEST_REGISTER_TARGET(QuickThrow);
MPTEST_REGISTER_TARGET(HangForever);
MPTEST_REGISTER_TARGET(OversizedFrame);
int Unregistered() { return 0; }
int ThrowUnregistered() { throw std::runtime_error("boom"); }

MPTEST_KEYWORD(port, std::string);
MPTEST_KEYWORD(speed, int);
std::string Flash(int board, const Kwargs<Required<port_kw>, speed_kw>& kwargs) {
  return absl::StrCat(board, "@", kwargs[kw::port], ":", kwargs.get_or(kw::speed, 115200));
}
MPTEST_REGISTER_TARGET(Flash);

class PcallTest : public ::testing::Test {
 protected:
  void SetUp() override { fds_before_ = testing::OpenFds(); }
  void TearDown() override {
    EXPECT_TRUE(testing::ChildPids().empty()) << "a child or zombie was left behind";
    EXPECT_EQ(testing::OpenFds(), fds_before_) << testing::DescribeFds(testing::OpenFds());
  }
  static PcallOptions Quiet() {
    PcallOptions options;
    options.context = Context::kFork;
    options.child_logs = false;
    options.timeout = absl::Seconds(20);
    options.kill_grace = absl::Milliseconds(200);
    return options;
  }
  std::set<int> fds_before_;
};

TEST_F(PcallTest, MaxWorkersCapsConcurrency) {
  PcallOptions options = Quiet();
  options.max_workers = 2;
  auto spans = pcall(Busy, iargs(args(40), args(40), args(40), args(40), args(40)), options);
  ASSERT_TRUE(spans.ok()) << spans.status();
  ASSERT_EQ(spans->size(), 5u);
  for (const auto& [start, end] : *spans) {
    int overlapping = 0;
    for (const auto& [other_start, other_end] : *spans) {
      overlapping += other_start <= start && start < other_end;
    }
    EXPECT_LE(overlapping, 2);
  }
}

TEST_F(PcallTest, WaitsForAllAndReportsTheFirstFailureInCallOrder) {
  Pcall p(targets(&Ok1, &SlowThrow, &QuickExit3), Quiet());
  ASSERT_TRUE(p.start().ok());
  absl::Status status = p.join();
  auto error = GetChildProcessError(status);
  ASSERT_TRUE(error.has_value()) << status;
  EXPECT_EQ(error->error.call_index(), 1);
  EXPECT_EQ(error->error.exception().message(), "first in call order");
  EXPECT_TRUE(p.results().empty());
  EXPECT_EQ(*p.result(0), 1);  // the others' results stay available
  auto third = GetChildProcessError(p.result(2).status());
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(third->error.kind(), proto::ChildError::EXITED);
  EXPECT_EQ(third->error.exit_code(), 3);
}

TEST_F(PcallTest, StopOnFirstFailureTerminatesTheRest) {
  PcallOptions options = Quiet();
  options.stop_on_first_failure = true;
  options.max_workers = 2;
  Pcall p(targets(&HangForever, &QuickThrow, &Ok1), options);
  ASSERT_TRUE(p.start().ok());
  absl::Status status = p.join();
  auto error = GetChildProcessError(status);
  ASSERT_TRUE(error.has_value()) << status;
  EXPECT_EQ(error->error.call_index(), 1);
  EXPECT_EQ(error->error.exception().exception_type(), "std::logic_error");
  auto hung = GetChildProcessError(p.result(0).status());
  ASSERT_TRUE(hung.has_value());
  EXPECT_EQ(hung->error.kind(), proto::ChildError::CANCELLED);
  EXPECT_THAT(hung->error.detail(), HasSubstr("stopped after call 1 of 'QuickThrow'"));
  auto never = GetChildProcessError(p.result(2).status());
  ASSERT_TRUE(never.has_value());
  EXPECT_THAT(never->error.detail(), HasSubstr("not started"));
  EXPECT_EQ(p.pids().size(), 2u);
}

TEST_F(PcallTest, ResultJustOverAPipeBufferArrives) {
  for (Context context : {Context::kFork, Context::kSpawn, Context::kInline}) {
    PcallOptions options = Quiet();
    options.context = context;
    auto results = pcall(ResultOfSize, iargs(args(65536 + 1), args(1)), options);
    ASSERT_TRUE(results.ok()) << results.status();
    EXPECT_EQ((*results)[0], std::string(65537, 'z')) << ContextName(context);
    EXPECT_EQ((*results)[1], "z");
  }
}

TEST_F(PcallTest, TimeoutEscalatesToSigkillAfterTheGrace) {
  PcallOptions options = Quiet();
  options.timeout = absl::Milliseconds(200);
  options.kill_grace = absl::Milliseconds(100);
  auto result = pcall(IgnoreTermAndHang, options);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDeadlineExceeded) << result.status();
  auto error = GetChildProcessError(result.status());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->error.kind(), proto::ChildError::TIMED_OUT);
  EXPECT_EQ(error->error.signal(), SIGKILL);
}

TEST_F(PcallTest, LifecycleStartLivingTerminateJoin) {
  Pcall p(HangForever, iargs(args(), args()), Quiet());
  EXPECT_FALSE(p.join().ok());  // join before start
  ASSERT_TRUE(p.start().ok());
  EXPECT_EQ(p.pids().size(), 2u);
  EXPECT_EQ(p.living(), p.pids());
  EXPECT_TRUE(p.results().empty());
  EXPECT_FALSE(p.result(0).ok());
  p.terminate();
  absl::Status status = p.join();
  EXPECT_EQ(status.code(), absl::StatusCode::kCancelled) << status;
  EXPECT_THAT(status.message(), HasSubstr("terminated by Pcall::terminate()"));
  EXPECT_TRUE(p.living().empty());
  auto error = GetChildProcessError(status);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->error.signal(), SIGTERM);
}

TEST_F(PcallTest, JoinTimeoutNamesTheChildrenStillAlive) {
  Pcall p(targets(&HangForever, &Ok1, &HangForever), Quiet());
  ASSERT_TRUE(p.start().ok());
  std::vector<pid_t> pids = p.pids();
  absl::Status status = p.join(absl::Milliseconds(200));
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(status.message(), HasSubstr(absl::StrCat("call 0 of 'HangForever' (pid ", pids[0])));
  EXPECT_THAT(status.message(), HasSubstr(absl::StrCat("call 2 of 'HangForever' (pid ", pids[2])));
  EXPECT_THAT(status.message(), ::testing::Not(HasSubstr("Ok1")));
  EXPECT_EQ(*p.result(1), 1);
}

TEST_F(PcallTest, EventsArriveInOrderPerChildWithExitEvents) {
  bus::EventBus bus;
  std::map<int, std::vector<uint64_t>> sequences;
  std::map<int, int> next_text;
  int exits = 0;
  bool in_order = true;
  bus.SubscribeTo(proto::Event::kLogLine, [&](const proto::Event& e) {
    in_order &= e.log_line().text() == std::to_string(next_text[e.call_index()]++);
    sequences[e.call_index()].push_back(e.sequence());
    EXPECT_EQ(e.source(), "SendEvents");
  });
  bus.SubscribeTo(proto::Event::kExit, [&](const proto::Event& e) {
    ++exits;
    EXPECT_TRUE(e.exit().success());
  });
  PcallOptions options = Quiet();
  options.bus = &bus;
  auto counts = pcall(SendEvents, iargs(args(1000), args(2000), args(3000)), options);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_TRUE(in_order);
  EXPECT_EQ(exits, 3);
  for (int call = 0; call < 3; ++call) {
    ASSERT_EQ(sequences[call].size(), 1000u * (call + 1));
    EXPECT_EQ(sequences[call].front(), 1u);
    EXPECT_EQ(sequences[call].back(), sequences[call].size());
  }
}

TEST_F(PcallTest, LargeEventsKeepTheirPlaceInTheOrder) {
  for (Context context : {Context::kFork, Context::kSpawn}) {
    bus::EventBus bus;
    std::vector<size_t> sizes;
    bus.SubscribeTo(proto::Event::kLogLine,
                    [&](const proto::Event& e) { sizes.push_back(e.log_line().text().size()); });
    PcallOptions options = Quiet();
    options.context = context;
    options.bus = &bus;
    ASSERT_TRUE(pcall(MixedSizeEvents, options).ok());
    EXPECT_THAT(sizes, ElementsAre(5u, 100u << 10, 4u)) << ContextName(context);
  }
}

TEST_F(PcallTest, EventSentJustBeforeACrashArrives) {
  bus::EventBus bus;
  std::vector<std::string> texts;
  bus.SubscribeTo(proto::Event::kLogLine,
                  [&](const proto::Event& e) { texts.push_back(e.log_line().text()); });
  PcallOptions options = Quiet();
  options.bus = &bus;
  auto result = pcall(EventThenSegv, options);
  auto error = GetChildProcessError(result.status());
  ASSERT_TRUE(error.has_value()) << result.status();
  EXPECT_EQ(error->error.signal(), SIGSEGV);
  EXPECT_THAT(texts, ElementsAre("last words"));
}

TEST_F(PcallTest, OversizedFrameIsAnErrorForThatChildOnly) {
  PcallOptions options = Quiet();
  Pcall p(targets(&OversizedFrame, &Ok1), options);
  ASSERT_TRUE(p.start().ok());
  absl::Status status = p.join();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
  EXPECT_THAT(status.message(), HasSubstr("call 0 of 'OversizedFrame'"));
  EXPECT_THAT(status.message(), HasSubstr("more than the maximum"));
  EXPECT_EQ(*p.result(1), 1);
}

TEST_F(PcallTest, ChildLogsAreMergedInCallOrder) {
  for (Context context : {Context::kFork, Context::kSpawn}) {
    testing::CapturingLogSink sink;
    google::AddLogSink(&sink);
    PcallOptions options = Quiet();
    options.context = context;
    options.child_logs = true;
    options.log_dir = getenv("TEST_TMPDIR");
    options.task = "TaskLog.Task-1";
    auto pids = pcall(LogMessage, iargs(args(), args(), args()), options);
    google::RemoveLogSink(&sink);
    ASSERT_TRUE(pids.ok()) << pids.status();
    std::vector<std::string> merged;
    for (const std::string& line : sink.lines) {
      if (line.rfind("Forked process", 0) != 0) merged.push_back(line);
    }
    ASSERT_EQ(merged.size(), 9u) << ContextName(context);
    for (int call = 0; call < 3; ++call) {
      const std::string path = absl::StrCat(options.log_dir, "/TaskLog.Task-1:pid-", (*pids)[call]);
      EXPECT_EQ(merged[3 * call], ">>>> Begin child log " + path);
      EXPECT_THAT(merged[3 * call + 1],
                  HasSubstr(absl::StrCat("this is a message from ", (*pids)[call])));
      EXPECT_EQ(merged[3 * call + 2], "<<<< End child log " + path);
    }
  }
}

TEST_F(PcallTest, ChildrenThatLogNothingLeaveNoLogFile) {
  for (Context context : {Context::kFork, Context::kSpawn}) {
    const std::string dir = absl::StrCat(getenv("TEST_TMPDIR"), "/quiet-", ContextName(context));
    ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
    PcallOptions options = Quiet();
    options.context = context;
    options.child_logs = true;
    options.log_dir = dir;
    auto results = pcall(ResultOfSize, iargs(args(1), args(2)), options);
    ASSERT_TRUE(results.ok()) << results.status();
    std::vector<std::string> left;
    DIR* listing = opendir(dir.c_str());
    ASSERT_NE(listing, nullptr);
    while (dirent* entry = readdir(listing)) {
      if (entry->d_name[0] != '.') left.push_back(entry->d_name);
    }
    closedir(listing);
    EXPECT_TRUE(left.empty()) << ContextName(context) << ": " << left.front();
  }
}

TEST_F(PcallTest, SigintEndsChildrenAndKeepsWhatTheySent) {
  bus::EventBus bus;
  int ready = 0;
  bus.SubscribeTo(proto::Event::kLogLine, [&](const proto::Event&) {
    if (++ready == 2) kill(getpid(), SIGINT);
  });
  testing::CapturingLogSink sink;
  google::AddLogSink(&sink);
  PcallOptions options = Quiet();
  options.bus = &bus;
  options.child_logs = true;
  options.log_dir = getenv("TEST_TMPDIR");
  auto result = pcall(LogAndHang, iargs(args(), args()), options);
  google::RemoveLogSink(&sink);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kCancelled) << result.status();
  EXPECT_THAT(result.status().message(), HasSubstr("interrupted by SIGINT"));
  EXPECT_EQ(ready, 2);
  int logged = 0;
  for (const std::string& line : sink.lines) {
    logged += line.find("logged before the interrupt") != std::string::npos;
  }
  EXPECT_EQ(logged, 2);
}

TEST_F(PcallTest, SigtermEndsChildrenToo) {
  bus::EventBus bus;
  bus.SubscribeTo(proto::Event::kLogLine, [&](const proto::Event&) { kill(getpid(), SIGTERM); });
  PcallOptions options = Quiet();
  options.bus = &bus;
  auto result = pcall(LogAndHang, options);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kCancelled) << result.status();
  EXPECT_THAT(result.status().message(), HasSubstr("interrupted by SIGTERM"));
}

TEST_F(PcallTest, SecondSigintKillsAtOnce) {
  bus::EventBus bus;
  int ready = 0;
  bus.SubscribeTo(proto::Event::kLogLine, [&](const proto::Event&) {
    if (++ready == 2) {
      kill(getpid(), SIGINT);
      kill(getpid(), SIGINT);
    }
  });
  PcallOptions options = Quiet();
  options.bus = &bus;
  options.kill_grace = absl::Seconds(60);  // children ignore SIGTERM: only SIGKILL ends them
  const absl::Time start = absl::Now();
  auto result = pcall(IgnoreTermAndHang, iargs(args(), args()), options);
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kCancelled) << result.status();
  EXPECT_THAT(result.status().message(), HasSubstr("second SIGINT"));
}

TEST_F(PcallTest, ChildrenDieWithTheirParent) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  pid_t parent = fork();
  ASSERT_GE(parent, 0);
  if (parent == 0) {
    bus::EventBus bus;
    bus.SubscribeTo(proto::Event::kLogLine, [&](const proto::Event& e) {
      int pid = e.pid();
      ssize_t ignored = write(fds[1], &pid, sizeof(pid));
      (void)ignored;
    });
    PcallOptions options = Quiet();
    options.bus = &bus;
    pcall(IgnoreTermAndHang, options).status().IgnoreError();
    _exit(0);
  }
  close(fds[1]);
  int child = 0;
  ASSERT_EQ(read(fds[0], &child, sizeof(child)), static_cast<ssize_t>(sizeof(child)));
  close(fds[0]);
  ASSERT_TRUE(testing::ProcessRunning(child));
  kill(parent, SIGKILL);
  ASSERT_EQ(waitpid(parent, nullptr, 0), parent);
  EXPECT_TRUE(testing::WaitFor([&] { return !testing::ProcessRunning(child); }));
  // Re-parented to us (a subreaper): reap it. A zombie leader can be seen before it is
  // reapable (under ThreadSanitizer its helper thread is still exiting), so wait, bounded;
  // waitpid returns -1 (ECHILD) if init reaped it instead.
  EXPECT_TRUE(testing::WaitFor([&] { return waitpid(child, nullptr, WNOHANG) != 0; }));
}

TEST_F(PcallTest, InlineReportsOverrunsAndDeliversEvents) {
  bus::EventBus bus;
  int events = 0;
  bus.SubscribeTo(proto::Event::kLogLine, [&](const proto::Event& e) {
    ++events;
    EXPECT_EQ(e.pid(), getpid());
  });
  PcallOptions options = Quiet();
  options.context = Context::kInline;
  options.bus = &bus;
  auto sent = pcall(SendEvents, iargs(args(3)), options);
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(events, 3);
  options.timeout = absl::Milliseconds(10);
  auto slow = pcall(Busy, iargs(args(50)), options);
  auto error = GetChildProcessError(slow.status());
  ASSERT_TRUE(error.has_value()) << slow.status();
  EXPECT_EQ(error->error.kind(), proto::ChildError::TIMED_OUT);
  EXPECT_THAT(error->error.detail(), HasSubstr("cannot be interrupted"));
}

TEST_F(PcallTest, MissingKeywordIsReportedFromTheChild) {
  auto result = pcall(ReadMissingKeyword, Quiet());
  auto error = GetChildProcessError(result.status());
  ASSERT_TRUE(error.has_value()) << result.status();
  EXPECT_EQ(error->error.exception().exception_type(), "std::out_of_range");
  EXPECT_EQ(error->error.exception().message(), "keyword argument 'c' was not passed");
}

TEST_F(PcallTest, SpawnNeedsARegisteredTarget) {
  PcallOptions options = Quiet();
  options.context = Context::kSpawn;
  auto result = pcall(Unregistered, options);  // named from the symbol table, not target@<address>
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(result.status().message(), HasSubstr("MPTEST_REGISTER_TARGET(Unregistered)"));
}

TEST_F(PcallTest, UnregisteredTargetsAreNamedInErrors) {
  auto result = pcall(ThrowUnregistered, Quiet());
  EXPECT_THAT(result.status().message(), HasSubstr("call 0 of 'ThrowUnregistered'"));
  auto named = pcall(Named("flash board 3", ThrowUnregistered), Quiet());
  EXPECT_THAT(named.status().message(), HasSubstr("call 0 of 'flash board 3'"));
  auto lambda = pcall([](int value) -> int { throw std::logic_error(std::to_string(value)); },
                      iargs(args(1)), Quiet());
  EXPECT_THAT(lambda.status().message(),
              HasSubstr("call 0 of 'mptest::process::PcallTest_UnregisteredTargetsAreNamedInErrors_"
                        "Test::TestBody()::{lambda(int)#1}'"));
}

TEST_F(PcallTest, RequiredOptionalAndCommonKeywords) {
  for (Context context : {Context::kFork, Context::kSpawn, Context::kInline}) {
    PcallOptions options = Quiet();
    options.context = context;
    auto results = pcall(Flash, iargs(args(1), args(2)), kw::port = "/dev/ttyACM0",
                         ikwargs(kwargs(kw::speed = 9600), kwargs()), options);
    ASSERT_TRUE(results.ok()) << results.status();
    EXPECT_THAT(*results, ElementsAre("1@/dev/ttyACM0:9600", "2@/dev/ttyACM0:115200"))
        << ContextName(context);
  }
}

TEST_F(PcallTest, UnencodableArgumentsWorkInForkButNotInSpawn) {
  static const int kValue = 41;
  PcallOptions options = Quiet();
  auto forked = pcall(Deref, cargs(&kValue), options);
  ASSERT_TRUE(forked.ok()) << forked.status();
  EXPECT_EQ(*forked, std::vector<int>{41});
  options.context = Context::kSpawn;
  auto spawned = pcall(Named("Deref", Deref), cargs(&kValue), options);
  EXPECT_EQ(spawned.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(spawned.status().message(), HasSubstr("parameters cannot be encoded"));
}

TEST_F(PcallTest, DefaultContextCanBeInline) {
  SetDefaultContext(Context::kInline);
  PcallOptions options = Quiet();
  options.context.reset();
  auto pids = pcall(LogMessage, options);
  SetDefaultContext(Context::kFork);
  ASSERT_TRUE(pids.ok());
  EXPECT_EQ(pids->at(0), getpid());
  EXPECT_EQ(ParseContext("spawn").value(), Context::kSpawn);
  EXPECT_FALSE(ParseContext("thread").ok());
}

}  // namespace
}  // namespace mptest::process
