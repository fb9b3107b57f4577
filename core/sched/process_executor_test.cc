// Tests of ProcessExecutor: the scheduler's jobs as core/process Supervisor calls, in the fork
// context (results, crashes noticed at once, deadlines with before_kill, interrupts, nothing
// left behind) and in the inline context (one job at a time, deadlines still enforced).
#include "core/sched/process_executor.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "core/process/test_util.h"
#include "core/sched/descriptor_reserve.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::sched {
namespace {

using ::testing::HasSubstr;

JobSpec Job(std::string name, std::function<std::string()> work,
            absl::Duration deadline = absl::Seconds(20)) {
  JobSpec job;
  job.name = std::move(name);
  job.work = std::move(work);
  job.deadline = deadline;
  return job;
}

// Waits (bounded) until every started job has been returned by Wait.
std::vector<JobDone> WaitAll(Executor& executor) {
  std::vector<JobDone> done;
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  while (executor.running() > 0 && absl::Now() < give_up) {
    for (JobDone& job : executor.Wait(absl::Milliseconds(100))) done.push_back(std::move(job));
  }
  return done;
}

TEST(ProcessExecutorTest, ForkedJobsReturnTheirPayloadOrTheirCrash) {
  {
    ForkExecutor executor(4, absl::Milliseconds(200));
    EXPECT_EQ(executor.context(), process::Context::kFork);
    const int ok = executor.Start(Job("ok", [] { return std::string("payload"); }));
    const int crash = executor.Start(Job("crash", []() -> std::string {
      raise(SIGSEGV);
      return "";
    }));
    EXPECT_EQ(executor.running(), 2);
    std::vector<JobDone> done = WaitAll(executor);
    ASSERT_EQ(done.size(), 2u);
    for (const JobDone& job : done) {
      if (job.id == ok) {
        EXPECT_EQ(job.status, JobDone::Status::kOk);
        EXPECT_EQ(job.payload, "payload");
      } else {
        EXPECT_EQ(job.id, crash);
        EXPECT_EQ(job.status, JobDone::Status::kCrashed);
        EXPECT_THAT(job.detail, HasSubstr("crash: "));
        EXPECT_THAT(job.detail, HasSubstr("killed by SIGSEGV"));
      }
      EXPECT_LE(job.start, job.end);
    }
  }
  EXPECT_TRUE(process::testing::ChildPids().empty());
}

TEST(ProcessExecutorTest, ARunawayGetsBeforeKillThenIsKilledAtItsDeadline) {
  {
    ForkExecutor executor(4, absl::Milliseconds(200));
    std::atomic<int> powered_off{0};
    JobSpec job = Job(
        "runaway",
        []() -> std::string {
          for (;;) pause();
        },
        absl::Milliseconds(200));
    job.before_kill = [&powered_off] { ++powered_off; };
    executor.Start(std::move(job));
    std::vector<JobDone> done = WaitAll(executor);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].status, JobDone::Status::kTimedOut);
    EXPECT_THAT(done[0].detail, HasSubstr("timed out after 200ms"));
    EXPECT_THAT(done[0].detail, HasSubstr("process group killed"));
    EXPECT_EQ(powered_off.load(), 1);
  }
  EXPECT_TRUE(process::testing::ChildPids().empty());
}

TEST(ProcessExecutorTest, CancelAllReportsInterruptedJobsAsTimedOut) {
  {
    ForkExecutor executor(4, absl::Milliseconds(200));
    for (int i = 0; i < 2; ++i) {
      executor.Start(Job("hang", []() -> std::string {
        for (;;) pause();
      }));
    }
    EXPECT_TRUE(executor.Wait(absl::Milliseconds(20)).empty());
    executor.CancelAll();
    std::vector<JobDone> done = WaitAll(executor);
    ASSERT_EQ(done.size(), 2u);
    for (const JobDone& job : done) {
      EXPECT_EQ(job.status, JobDone::Status::kTimedOut);
      EXPECT_THAT(job.detail, HasSubstr("interrupted"));
    }
  }
  EXPECT_TRUE(process::testing::ChildPids().empty());
}

// The host runs out of descriptors, for the supervisor's epoll (the first job) or for a job's
// channel (a later one): the job that could not be started is reported (crashed, naming the
// cause), the held-back descriptors are released for the campaign's records, and later jobs
// are not tried (they would take those descriptors again).
TEST(ProcessExecutorTest, OutOfDescriptorsReleasesTheReserveAndStartsNothingMore) {
  for (bool first_job : {true, false}) {
    ForkExecutor executor(4);
    if (!first_job) {  // the supervisor is prepared: the job's own channel fails
      executor.Start(Job("ok", [] { return std::string("ok"); }));
      ASSERT_EQ(WaitAll(executor).size(), 1u);
    }
    ASSERT_GT(ReserveDescriptors(4), 0);
    {
      process::testing::NoDescriptorsLeft none;
      executor.Start(Job("first", [] { return std::string("1"); }));
    }
    executor.Start(Job("second", [] { return std::string("2"); }));
    std::vector<JobDone> done = WaitAll(executor);
    EXPECT_EQ(ReleaseReservedDescriptors(), 0) << "the reserve was not released";
    ASSERT_EQ(done.size(), 2u);
    for (const JobDone& job : done) {
      EXPECT_EQ(job.status, JobDone::Status::kCrashed);
      EXPECT_THAT(job.detail, HasSubstr("Too many open files")) << job.detail;
    }
  }
}

TEST(ProcessExecutorTest, TheDefaultContextDecidesAndInlineRunsOneJobAtATime) {
  process::SetDefaultContext(process::Context::kInline);
  ProcessExecutor executor(8);
  process::SetDefaultContext(process::Context::kFork);
  EXPECT_EQ(executor.context(), process::Context::kInline);
  EXPECT_EQ(executor.capacity(), 1);
  auto powered = std::make_shared<std::atomic<bool>>(true);
  JobSpec job = Job(
      "harness",
      [powered]() -> std::string {
        while (powered->load()) absl::SleepFor(absl::Milliseconds(1));
        return "board went away";
      },
      absl::Milliseconds(100));
  job.before_kill = [powered] { powered->store(false); };
  executor.Start(std::move(job));
  executor.Start(Job("pid", [] { return std::to_string(getpid()); }));
  std::vector<JobDone> done = WaitAll(executor);
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0].status, JobDone::Status::kTimedOut);
  EXPECT_THAT(done[0].detail, HasSubstr("ran past its timeout of 100ms"));
  EXPECT_EQ(done[1].status, JobDone::Status::kOk);
  EXPECT_EQ(done[1].payload, std::to_string(getpid()));  // inline: in this process
  EXPECT_LE(done[0].end, done[1].start);
}

}  // namespace
}  // namespace mptest::sched
