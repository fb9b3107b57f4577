// Tests of the Supervisor's incremental API (Add, WaitAny, Kill, CancelAll), the one mptest's
// scheduler runs its jobs through: in the fork context with /proc checks that nothing is left
// behind, and in the inline context with its enforced deadlines.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/bus/event_sender.h"
#include "core/process/supervisor.h"
#include "core/process/test_util.h"
#include "glog/logging.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::process {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

CallSpec Call(std::string name, std::function<std::string()> run) {
  CallSpec call;
  call.target = std::move(name);
  call.run = std::move(run);
  return call;
}

std::function<std::string()> SleepThenReturn(absl::Duration sleep, std::string result) {
  return [sleep, result] {
    absl::SleepFor(sleep);
    return result;
  };
}

// Waits (bounded) until `supervisor` has reported every call; returns the indices in order.
std::vector<int> WaitAll(Supervisor& supervisor, absl::Duration limit = absl::Seconds(20)) {
  std::vector<int> ended;
  const absl::Time give_up = absl::Now() + limit;
  while (supervisor.unreported() > 0 && absl::Now() < give_up) {
    for (int index : supervisor.WaitAny(give_up - absl::Now())) ended.push_back(index);
  }
  return ended;
}

// Whether process `pid` ignores SIGTERM (the SigIgn mask of /proc/<pid>/status).
bool IgnoresSigterm(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("SigIgn:", 0) == 0) {
      return (std::stoull(line.substr(7), nullptr, 16) >> (SIGTERM - 1)) & 1;
    }
  }
  return false;
}

class IncrementalForkTest : public ::testing::Test {
 protected:
  void SetUp() override { fds_before_ = testing::OpenFds(); }
  void TearDown() override {
    EXPECT_TRUE(testing::ChildPids().empty()) << "a child or zombie was left behind";
    EXPECT_EQ(testing::OpenFds(), fds_before_) << testing::DescribeFds(testing::OpenFds());
  }
  static PcallOptions Options(Context context = Context::kFork) {
    PcallOptions options;
    options.context = context;
    options.child_logs = false;
    options.timeout = absl::Seconds(20);
    options.kill_grace = absl::Milliseconds(200);
    options.handle_interrupts = false;
    return options;
  }
  std::set<int> fds_before_;
};

TEST_F(IncrementalForkTest, WaitAnyReturnsCallsInTheOrderTheyEnd) {
  Supervisor supervisor(Options());
  ASSERT_EQ(*supervisor.Add(Call("slow", SleepThenReturn(absl::Milliseconds(300), "s"))), 0);
  ASSERT_EQ(*supervisor.Add(Call("fast", SleepThenReturn(absl::ZeroDuration(), "f"))), 1);
  EXPECT_EQ(supervisor.unreported(), 2);
  std::vector<int> first = supervisor.WaitAny(absl::Seconds(10));
  ASSERT_THAT(first, ElementsAre(1));
  EXPECT_EQ(supervisor.unreported(), 1);
  // Started after the first ended, and faster than the slow one.
  ASSERT_EQ(*supervisor.Add(Call("late", SleepThenReturn(absl::ZeroDuration(), "l"))), 2);
  EXPECT_THAT(WaitAll(supervisor), ElementsAre(2, 0));
  const std::vector<CallOutcome>& outcomes = supervisor.outcomes();
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_EQ(outcomes[0].encoded_result, "s");
  EXPECT_EQ(outcomes[1].encoded_result, "f");
  EXPECT_EQ(supervisor.TakeOutcome(2).encoded_result, "l");
  EXPECT_TRUE(supervisor.outcomes()[2].encoded_result.empty());
  for (const CallOutcome& outcome : outcomes) {
    EXPECT_TRUE(outcome.ok);
    EXPECT_GT(outcome.pid, 0);
    EXPECT_LE(outcome.start, outcome.end);
  }
  // The slow call ended last (its duration as the parent sees it starts after the fork, so it
  // is not compared with the child's own sleep).
  EXPECT_GE(outcomes[0].end, outcomes[1].end);
  EXPECT_GE(outcomes[0].end, outcomes[2].end);
}

TEST_F(IncrementalForkTest, WaitAnyReturnsEmptyWhenItsTimeoutPasses) {
  Supervisor supervisor(Options());
  EXPECT_TRUE(supervisor.WaitAny(absl::Milliseconds(1)).empty());  // nothing added
  ASSERT_TRUE(supervisor.Add(Call("slow", SleepThenReturn(absl::Seconds(1), "s"))).ok());
  const absl::Time start = absl::Now();
  EXPECT_TRUE(supervisor.WaitAny(absl::Milliseconds(50)).empty());
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(900));
  EXPECT_THAT(WaitAll(supervisor), ElementsAre(0));
}

TEST_F(IncrementalForkTest, ACrashIsReportedAtOnceWithItsSignal) {
  Supervisor supervisor(Options());
  ASSERT_TRUE(supervisor.Add(Call("long", SleepThenReturn(absl::Seconds(30), "x"))).ok());
  ASSERT_TRUE(supervisor.Add(Call("crash", []() -> std::string { abort(); })).ok());
  const absl::Time start = absl::Now();
  EXPECT_THAT(supervisor.WaitAny(absl::Seconds(20)), ElementsAre(1));
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  const ChildProcessError& error = supervisor.outcomes()[1].error;
  EXPECT_EQ(error.error.kind(), proto::ChildError::SIGNALED);
  EXPECT_THAT(error.Summary(), HasSubstr("killed by SIGABRT"));

  bool hook_ran = false;
  supervisor.Kill(0, "no longer needed");
  EXPECT_FALSE(hook_ran);  // "long" has no hook: Kill works without one
  EXPECT_THAT(WaitAll(supervisor), ElementsAre(0));
  EXPECT_EQ(supervisor.outcomes()[0].error.error.kind(), proto::ChildError::CANCELLED);
  EXPECT_THAT(supervisor.outcomes()[0].error.Summary(), HasSubstr("no longer needed"));
}

TEST_F(IncrementalForkTest, ACallThatDiesInsideAnActivityIsNamedByIt) {
  bus::EventBus bus;
  PcallOptions options = Options();
  options.bus = &bus;
  Supervisor supervisor(options);
  ASSERT_TRUE(supervisor
                  .Add(Call("run",
                            []() -> std::string {
                              bus::ScopedActivity flash("plugin 'p' (libp.so) Flash on t1");
                              { bus::ScopedActivity step("a step that ended"); }
                              abort();
                            }))
                  .ok());
  ASSERT_TRUE(supervisor
                  .Add(Call("fine",
                            [] {
                              bus::ScopedActivity probe("a probe");
                              return std::string("ok");
                            }))
                  .ok());
  ASSERT_TRUE(supervisor.Add(Call("bare", []() -> std::string { abort(); })).ok());
  WaitAll(supervisor);
  const ChildProcessError& error = supervisor.outcomes()[0].error;
  EXPECT_EQ(error.error.activity(), "plugin 'p' (libp.so) Flash on t1");
  EXPECT_THAT(error.Summary(),
              HasSubstr("killed by SIGABRT during plugin 'p' (libp.so) Flash on t1"));
  EXPECT_TRUE(supervisor.outcomes()[1].ok);
  EXPECT_THAT(supervisor.outcomes()[2].error.Summary(), Not(HasSubstr("during")));
}

TEST_F(IncrementalForkTest, AnExceptionKeepsItsTypeAndMessage) {
  Supervisor supervisor(Options());
  ASSERT_TRUE(
      supervisor
          .Add(Call("thrower", []() -> std::string { throw std::runtime_error("board on fire"); }))
          .ok());
  EXPECT_THAT(WaitAll(supervisor), ElementsAre(0));
  const ChildProcessError& error = supervisor.outcomes()[0].error;
  EXPECT_EQ(error.error.kind(), proto::ChildError::EXCEPTION);
  EXPECT_THAT(error.Summary(), HasSubstr("std::runtime_error: board on fire"));
}

TEST_F(IncrementalForkTest, PastItsTimeoutBeforeKillRunsThenTheGroupIsKilled) {
  int pipe_fds[2];
  ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
  Supervisor supervisor(Options());
  CallSpec call = Call("runaway", [write_fd = pipe_fds[1]]() -> std::string {
    const pid_t grandchild = fork();
    if (grandchild == 0) {
      for (;;) pause();
    }
    (void)!write(write_fd, &grandchild, sizeof(grandchild));
    for (;;) pause();
  });
  call.timeout = absl::Milliseconds(200);
  std::atomic<int> hook_calls{0};
  std::vector<pid_t> living_at_hook;
  call.before_kill = [&] {
    ++hook_calls;
    living_at_hook = supervisor.Living();
  };
  ASSERT_TRUE(supervisor.Add(std::move(call)).ok());
  pid_t grandchild = 0;
  ASSERT_EQ(read(pipe_fds[0], &grandchild, sizeof(grandchild)),
            static_cast<ssize_t>(sizeof(grandchild)));
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  EXPECT_THAT(WaitAll(supervisor), ElementsAre(0));
  EXPECT_EQ(hook_calls.load(), 1);
  EXPECT_EQ(living_at_hook.size(), 1u);  // the hook runs before the kill
  const ChildProcessError& error = supervisor.outcomes()[0].error;
  EXPECT_EQ(error.error.kind(), proto::ChildError::TIMED_OUT);
  EXPECT_THAT(error.Summary(), HasSubstr("timed out after 200ms"));
  EXPECT_TRUE(testing::WaitFor([&] { return !testing::ProcessRunning(grandchild); }));
}

TEST_F(IncrementalForkTest, KillAllNowCutsTheGraceOfChildrenThatIgnoreSigterm) {
  PcallOptions options = Options();
  options.kill_grace = absl::Seconds(60);  // longer than WaitAll's limit below
  Supervisor supervisor(options);
  int hooks = 0;
  for (int i = 0; i < 2; ++i) {
    CallSpec call = Call(absl::StrCat("stubborn", i), []() -> std::string {
      signal(SIGTERM, SIG_IGN);
      for (;;) pause();
    });
    call.before_kill = [&hooks] { ++hooks; };
    ASSERT_TRUE(supervisor.Add(std::move(call)).ok());
  }
  // Both have ignored SIGTERM before the kill (a child sends nothing: wait for its disposition).
  for (pid_t pid : supervisor.Living()) {
    ASSERT_TRUE(testing::WaitFor([pid] { return IgnoresSigterm(pid); }));
  }
  supervisor.CancelAll("interrupted");
  EXPECT_TRUE(supervisor.WaitAny(absl::Milliseconds(300)).empty());  // SIGTERM is ignored
  supervisor.KillAllNow("interrupted twice");
  EXPECT_EQ(hooks, 2);  // once per call, however often it is ended
  EXPECT_EQ(WaitAll(supervisor).size(), 2u);
  for (const CallOutcome& outcome : supervisor.outcomes()) {
    EXPECT_EQ(outcome.error.error.kind(), proto::ChildError::CANCELLED);
    EXPECT_EQ(outcome.error.error.signal(), SIGKILL);
  }
}

TEST_F(IncrementalForkTest, AnAddThatRanOutOfDescriptorsLeavesTheSupervisorUsable) {
  Supervisor supervisor(Options());
  absl::StatusOr<int> refused = absl::UnknownError("not added");
  {
    testing::NoDescriptorsLeft none;
    refused = supervisor.Add(Call("first", SleepThenReturn(absl::ZeroDuration(), "1")));
  }
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("Too many open files"));
  // Room again: the next call runs and is reported (it used to find no epoll and spin).
  absl::StatusOr<int> added =
      supervisor.Add(Call("second", SleepThenReturn(absl::ZeroDuration(), "2")));
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_THAT(WaitAll(supervisor), ElementsAre(*added));
  EXPECT_EQ(supervisor.outcomes()[*added].encoded_result, "2");
}

TEST_F(IncrementalForkTest, CancelAllEndsRunningAndQueuedCallsWithTheirHooks) {
  PcallOptions options = Options();
  options.max_workers = 1;
  Supervisor supervisor(options);
  int hooks = 0;
  for (int i = 0; i < 3; ++i) {
    CallSpec call = Call(absl::StrCat("hang", i), []() -> std::string {
      for (;;) pause();
    });
    call.before_kill = [&hooks] { ++hooks; };
    ASSERT_TRUE(supervisor.Add(std::move(call)).ok());
  }
  EXPECT_EQ(supervisor.Living().size(), 1u);  // max_workers queues the rest
  supervisor.CancelAll("interrupted");
  EXPECT_EQ(hooks, 1);  // only the running call had anything to stop
  std::vector<int> ended = WaitAll(supervisor);
  EXPECT_EQ(ended.size(), 3u);
  for (const CallOutcome& outcome : supervisor.outcomes()) {
    EXPECT_EQ(outcome.error.error.kind(), proto::ChildError::CANCELLED);
    EXPECT_THAT(outcome.error.Summary(), HasSubstr("interrupted"));
  }
  EXPECT_THAT(supervisor.outcomes()[2].error.Summary(), HasSubstr("not started"));
}

TEST_F(IncrementalForkTest, DestroyingTheSupervisorEndsEveryChild) {
  pid_t pid = 0;
  {
    Supervisor supervisor(Options());
    ASSERT_TRUE(supervisor
                    .Add(Call("hang",
                              []() -> std::string {
                                for (;;) pause();
                              }))
                    .ok());
    ASSERT_EQ(supervisor.Pids().size(), 1u);
    pid = supervisor.Pids()[0];
    EXPECT_TRUE(testing::ProcessRunning(pid));
  }
  EXPECT_FALSE(testing::ProcessRunning(pid));
}

TEST_F(IncrementalForkTest, AddOnABatchSupervisorIsRefused) {
  Supervisor supervisor({Call("batch", SleepThenReturn(absl::ZeroDuration(), "b"))}, Options());
  EXPECT_EQ(
      supervisor.Add(Call("more", SleepThenReturn(absl::ZeroDuration(), "m"))).status().code(),
      absl::StatusCode::kFailedPrecondition);
}

TEST_F(IncrementalForkTest, EachChildsLogIsMergedAsSoonAsItEnds) {
  PcallOptions options = Options();
  options.child_logs = true;
  options.log_dir = getenv("TEST_TMPDIR");
  options.task = "job";
  Supervisor supervisor(options);
  testing::CapturingLogSink sink;
  google::AddLogSink(&sink);
  ASSERT_TRUE(supervisor
                  .Add(Call("logger",
                            [] {
                              LOG(INFO) << "hello from the job";
                              return std::string("ok");
                            }))
                  .ok());
  EXPECT_THAT(WaitAll(supervisor), ElementsAre(0));
  google::RemoveLogSink(&sink);
  const std::string path = supervisor.outcomes()[0].log_path;
  EXPECT_EQ(path, absl::StrCat(options.log_dir, "/job:pid-", supervisor.outcomes()[0].pid));
  std::vector<std::string> merged;
  for (const std::string& line : sink.lines) {
    if (line.rfind("Forked process", 0) != 0) merged.push_back(line);
  }
  ASSERT_EQ(merged.size(), 3u);
  EXPECT_EQ(merged[0], ">>>> Begin child log " + path);
  EXPECT_THAT(merged[1], HasSubstr("hello from the job"));
  EXPECT_EQ(merged[2], "<<<< End child log " + path);
}

// The inline context: calls run in this process, one at a time, deadlines still enforced.
class IncrementalInlineTest : public IncrementalForkTest {
 protected:
  void SetUp() override {
    // The first exception described in this process opens (and caches) the object files the
    // symbolizer reads for its backtrace; warm that cache so the descriptor check below only
    // sees what the supervisor itself leaves open.
    Supervisor warm(Options(Context::kInline));
    ASSERT_TRUE(
        warm.Add(Call("warm", []() -> std::string { throw std::runtime_error("warm"); })).ok());
    ASSERT_THAT(WaitAll(warm), ElementsAre(0));
    IncrementalForkTest::SetUp();
  }
};

TEST_F(IncrementalInlineTest, CallsRunOneAtATimeInThisProcess) {
  Supervisor supervisor(Options(Context::kInline));
  ASSERT_TRUE(supervisor.Add(Call("first", SleepThenReturn(absl::Milliseconds(50), "1"))).ok());
  ASSERT_TRUE(supervisor.Add(Call("second", [] { return absl::StrCat(getpid()); })).ok());
  ASSERT_TRUE(
      supervisor
          .Add(Call("thrower", []() -> std::string { throw std::invalid_argument("bad spec"); }))
          .ok());
  EXPECT_THAT(WaitAll(supervisor), ElementsAre(0, 1, 2));
  const std::vector<CallOutcome>& outcomes = supervisor.outcomes();
  EXPECT_EQ(outcomes[0].encoded_result, "1");
  EXPECT_EQ(outcomes[1].encoded_result, absl::StrCat(getpid()));
  EXPECT_LE(outcomes[0].end, outcomes[1].start);  // one at a time
  EXPECT_EQ(outcomes[2].error.error.kind(), proto::ChildError::EXCEPTION);
  EXPECT_THAT(outcomes[2].error.Summary(), HasSubstr("std::invalid_argument: bad spec"));
}

TEST_F(IncrementalInlineTest, PastItsDeadlineBeforeKillMakesTheCallFail) {
  Supervisor supervisor(Options(Context::kInline));
  auto powered = std::make_shared<std::atomic<bool>>(true);
  CallSpec call = Call("harness", [powered]() -> std::string {
    bus::ScopedActivity run("plugin 'h' (libh.so) Run on t1");
    while (powered->load()) absl::SleepFor(absl::Milliseconds(1));
    throw std::runtime_error("board powered off");  // leaves the activity: it ended in it
  });
  call.timeout = absl::Milliseconds(100);
  call.before_kill = [powered] { powered->store(false); };
  ASSERT_TRUE(supervisor.Add(std::move(call)).ok());
  EXPECT_THAT(WaitAll(supervisor), ElementsAre(0));
  const ChildProcessError& error = supervisor.outcomes()[0].error;
  EXPECT_EQ(error.error.kind(), proto::ChildError::TIMED_OUT);
  EXPECT_THAT(error.Summary(), HasSubstr("ran past its timeout of 100ms"));
  EXPECT_THAT(error.Summary(), HasSubstr("result was discarded"));
  EXPECT_THAT(error.Summary(), HasSubstr("during plugin 'h' (libh.so) Run on t1"));
}

TEST_F(IncrementalInlineTest, ACallThatIgnoresBeforeKillIsAbandonedAfterTheGrace) {
  auto release = std::make_shared<std::atomic<bool>>(false);
  auto finished = std::make_shared<std::atomic<bool>>(false);
  {
    Supervisor supervisor(Options(Context::kInline));
    CallSpec call = Call("stubborn", [release, finished] {
      while (!release->load()) absl::SleepFor(absl::Milliseconds(1));
      finished->store(true);
      return std::string("late");
    });
    call.timeout = absl::Milliseconds(50);
    ASSERT_TRUE(supervisor.Add(std::move(call)).ok());
    ASSERT_TRUE(supervisor.Add(Call("next", SleepThenReturn(absl::ZeroDuration(), "n"))).ok());
    const absl::Time start = absl::Now();
    EXPECT_THAT(WaitAll(supervisor), ElementsAre(0, 1));
    EXPECT_LT(absl::Now() - start, absl::Seconds(5));
    EXPECT_THAT(supervisor.outcomes()[0].error.Summary(), HasSubstr("thread was abandoned"));
    EXPECT_EQ(supervisor.outcomes()[1].encoded_result, "n");  // the next call still ran
  }
  release->store(true);  // let the abandoned thread end before the test does
  EXPECT_TRUE(testing::WaitFor([&] { return finished->load(); }));
}

TEST_F(IncrementalInlineTest, KillAllNowAbandonsACallAtOnceInsteadOfAfterTheGrace) {
  auto release = std::make_shared<std::atomic<bool>>(false);
  auto finished = std::make_shared<std::atomic<bool>>(false);
  {
    PcallOptions options = Options(Context::kInline);
    options.kill_grace = absl::Seconds(60);  // longer than WaitAll's limit below
    Supervisor supervisor(options);
    CallSpec call = Call("stubborn", [release, finished] {
      while (!release->load()) absl::SleepFor(absl::Milliseconds(1));
      finished->store(true);
      return std::string("late");
    });
    ASSERT_TRUE(supervisor.Add(std::move(call)).ok());
    supervisor.CancelAll("interrupted");
    EXPECT_TRUE(supervisor.WaitAny(absl::Milliseconds(50)).empty());  // in its grace
    supervisor.KillAllNow("interrupted twice");
    EXPECT_THAT(WaitAll(supervisor), ElementsAre(0));
    const ChildProcessError& error = supervisor.outcomes()[0].error;
    EXPECT_EQ(error.error.kind(), proto::ChildError::CANCELLED);
    EXPECT_THAT(error.Summary(), HasSubstr("interrupted"));  // the first reason stays
    EXPECT_THAT(error.Summary(), HasSubstr("it was ended at once"));
    EXPECT_THAT(error.Summary(), HasSubstr("thread was abandoned"));
  }
  release->store(true);  // let the abandoned thread end before the test does
  EXPECT_TRUE(testing::WaitFor([&] { return finished->load(); }));
}

TEST_F(IncrementalInlineTest, AnAbandonedCallCannotSendEventsAsTheNextCall) {
  bus::EventBus bus;
  std::vector<proto::Event> received;
  std::mutex received_mu;
  bus.SubscribeTo(proto::Event::kLogLine, [&](const proto::Event& e) {
    std::lock_guard<std::mutex> lock(received_mu);
    received.push_back(e);
  });
  auto release = std::make_shared<std::atomic<bool>>(false);
  auto late_send = std::make_shared<absl::Status>();
  auto finished = std::make_shared<std::atomic<bool>>(false);
  auto send = [](const std::string& text) {
    proto::Event event;
    event.mutable_log_line()->set_text(text);
    return bus::SendEvent(event);
  };
  {
    PcallOptions options = Options(Context::kInline);
    options.bus = &bus;
    Supervisor supervisor(options);
    CallSpec stubborn = Call("stubborn", [=] {
      send("before the deadline").IgnoreError();
      while (!release->load()) absl::SleepFor(absl::Milliseconds(1));
      *late_send = send("after being abandoned");
      finished->store(true);
      return std::string("late");
    });
    stubborn.timeout = absl::Milliseconds(50);
    ASSERT_TRUE(supervisor.Add(std::move(stubborn)).ok());
    ASSERT_TRUE(supervisor
                    .Add(Call("next",
                              [=] {
                                send("from the next call").IgnoreError();
                                release->store(
                                    true);  // the abandoned call now sends while this one runs
                                while (!finished->load()) absl::SleepFor(absl::Milliseconds(1));
                                return std::string("n");
                              }))
                    .ok());
    EXPECT_THAT(WaitAll(supervisor), ElementsAre(0, 1));
    const ChildProcessError& error = supervisor.outcomes()[0].error;
    EXPECT_EQ(error.error.kind(), proto::ChildError::TIMED_OUT);
    EXPECT_THAT(error.Summary(), HasSubstr("call 0 of 'stubborn'"));
    EXPECT_THAT(error.Summary(), HasSubstr("the inline context cannot preempt a running call"));
    EXPECT_THAT(error.Summary(), HasSubstr("thread was abandoned"));
    EXPECT_EQ(supervisor.outcomes()[1].encoded_result, "n");
  }
  ASSERT_TRUE(finished->load());
  EXPECT_EQ(late_send->code(), absl::StatusCode::kFailedPrecondition) << *late_send;
  EXPECT_THAT(late_send->message(), HasSubstr("inline call 0 of 'stubborn' was abandoned"));
  std::lock_guard<std::mutex> lock(received_mu);
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].log_line().text(), "before the deadline");
  EXPECT_EQ(received[0].call_index(), 0);
  EXPECT_EQ(received[1].log_line().text(), "from the next call");
  EXPECT_EQ(received[1].call_index(), 1);
  EXPECT_EQ(received[1].source(), "next");
}

TEST_F(IncrementalInlineTest, BatchInlineCallsKeepTheirOwnTimeout) {
  std::vector<CallSpec> calls;
  calls.push_back(Call("slow", SleepThenReturn(absl::Milliseconds(60), "s")));
  calls.back().timeout = absl::Milliseconds(10);
  calls.push_back(Call("quick", SleepThenReturn(absl::ZeroDuration(), "q")));
  Supervisor supervisor(std::move(calls), Options(Context::kInline));
  ASSERT_TRUE(supervisor.Start().ok());
  absl::Status status = supervisor.Join();
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  const ChildProcessError& error = supervisor.outcomes()[0].error;
  EXPECT_EQ(error.error.kind(), proto::ChildError::TIMED_OUT);
  EXPECT_THAT(error.error.detail(), HasSubstr("over its timeout of 10ms"));
  EXPECT_THAT(error.error.detail(), HasSubstr("cannot preempt a running call"));
  EXPECT_THAT(error.error.detail(), HasSubstr("its result was discarded"));
  EXPECT_EQ(supervisor.outcomes()[1].encoded_result, "q");
}

TEST_F(IncrementalInlineTest, KillCancelsTheRunningCall) {
  Supervisor supervisor(Options(Context::kInline));
  auto powered = std::make_shared<std::atomic<bool>>(true);
  CallSpec call = Call("harness", [powered]() -> std::string {
    while (powered->load()) absl::SleepFor(absl::Milliseconds(1));
    return "stopped";
  });
  call.before_kill = [powered] { powered->store(false); };
  ASSERT_TRUE(supervisor.Add(std::move(call)).ok());
  EXPECT_TRUE(supervisor.WaitAny(absl::Milliseconds(20)).empty());
  supervisor.CancelAll("interrupted");
  EXPECT_THAT(WaitAll(supervisor), ElementsAre(0));
  EXPECT_EQ(supervisor.outcomes()[0].error.error.kind(), proto::ChildError::CANCELLED);
  EXPECT_THAT(supervisor.outcomes()[0].error.Summary(), HasSubstr("interrupted"));
}

}  // namespace
}  // namespace mptest::process
