// Tests of SlurmExecutor against fake srun and scancel programs that print what Slurm 22.05
// prints (tests/slurm/testdata/) and a fake worker: dispatch with the pinned tentacles, a lost
// host (srun exits 0 without the final record), a cancelled attempt, a tentacle another campaign
// holds (queued: no deadline runs meanwhile), a host that is down, the deadline, a refusing
// worker, local jobs beside remote ones, and the hosts sinfo says take no job.
#include "core/sched/slurm_executor.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/bus/event_bus.h"
#include "core/proto/worker.pb.h"
#include "core/report/atomic_file.h"
#include "core/sched/process_executor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::sched {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Runfile(const std::string& path) {
  return absl::StrCat(getenv("TEST_SRCDIR"), "/mptest/", path);
}

bool Exists(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0;
}

class SlurmExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(getenv("TEST_TMPDIR"), "/",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_TRUE(report::MakeDirectories(dir_ + "/results").ok());
    ASSERT_TRUE(report::MakeDirectories(dir_ + "/logs").ok());
    setenv("FAKE_SRUN_LOG", (dir_ + "/srun.args").c_str(), 1);
    setenv("FAKE_SCANCEL_LOG", (dir_ + "/scancel.args").c_str(), 1);
    setenv("FAKE_SRUN_DIR", dir_.c_str(), 1);
    setenv("FAKE_SRUN_RELEASE", (dir_ + "/release").c_str(), 1);
    setenv("FAKE_SRUN_MODE", "run", 1);
    setenv("FAKE_WORKER_MODE", "ok", 1);
    setenv("FAKE_SINFO_LOG", (dir_ + "/sinfo.args").c_str(), 1);
    setenv("FAKE_SINFO_OUTPUT", (dir_ + "/sinfo.out").c_str(), 1);
  }

  std::unique_ptr<SlurmExecutor> MakeExecutor(absl::Duration margin = absl::Seconds(30)) {
    SlurmOptions options;
    options.bus = &bus_;
    options.srun = Runfile("core/sched/testing/slurm/fake_srun");
    options.scancel = Runfile("core/sched/testing/slurm/fake_scancel");
    options.sinfo = Runfile("core/sched/testing/slurm/fake_sinfo");
    options.worker = {Runfile("core/sched/testing/fake_worker")};
    options.results_dir = dir_ + "/results";
    options.log_dir = dir_ + "/logs";
    options.kill_grace = absl::Seconds(10);
    options.deadline_margin = margin;
    return std::make_unique<SlurmExecutor>(
        options, std::make_unique<ProcessExecutor>(2, absl::Seconds(2), process::Context::kFork),
        4);
  }

  static JobSpec RemoteRun(const std::string& testid, absl::Duration deadline = absl::Seconds(60)) {
    proto::WorkerInput input;
    input.set_version("0.1.0");
    input.set_testid(testid);
    input.add_tentacles()->set_label("1a01-VIRTUAL_PICO");
    JobSpec job;
    job.name = testid;
    job.deadline = deadline;
    RemoteJob remote;
    remote.input = input.SerializeAsString();
    remote.host = "h1";
    remote.gres = {"virtual_pico:1a01:1"};
    remote.tentacles = {"1a01-VIRTUAL_PICO"};
    job.remote = remote;
    return job;
  }

  // Waits (bounded) for `count` jobs to end.
  static std::vector<JobDone> WaitFor(Executor& executor, size_t count,
                                      absl::Duration bound = absl::Seconds(30)) {
    std::vector<JobDone> done;
    const absl::Time give_up = absl::Now() + bound;
    while (done.size() < count && absl::Now() < give_up) {
      for (JobDone& job : executor.Wait(absl::Milliseconds(100))) done.push_back(std::move(job));
    }
    return done;
  }

  // Starts `job` alone and waits (bounded) for its end: the one JobDone, or none.
  static std::vector<JobDone> StartAndWait(Executor& executor, JobSpec job) {
    executor.Start(std::move(job));
    return WaitFor(executor, 1);
  }

  // Waits (bounded) for the run's results file: the worker said hello and sent it.
  void WaitForFile(Executor& executor, const std::string& testid) {
    const std::string path = absl::StrCat(dir_, "/results/", testid, ",a/context_testgroup.json");
    const absl::Time give_up = absl::Now() + absl::Seconds(20);
    while (!Exists(path) && absl::Now() < give_up) {
      ASSERT_TRUE(executor.Wait(absl::Milliseconds(50)).empty());
    }
    ASSERT_TRUE(Exists(path)) << path;
  }

  std::string dir_;
  bus::EventBus bus_;
};

TEST_F(SlurmExecutorTest, DispatchPinsTheTentaclesAndTakesTheFinalRecord) {
  std::vector<std::string> tests_started;  // the workers' events, as they arrive
  bus_.SubscribeTo(proto::Event::kTest, [&tests_started](const proto::Event& event) {
    tests_started.push_back(event.test().testid());
  });
  auto executor = MakeExecutor();
  EXPECT_TRUE(executor->remote());
  const int id = executor->Start(RemoteRun("RUN@1a01-VIRTUAL_PICO"));
  JobSpec local;
  local.name = "build";
  local.work = [] { return std::string("built"); };
  const int local_id = executor->Start(std::move(local));
  EXPECT_EQ(executor->running(), 2);
  std::vector<JobDone> done = WaitFor(*executor, 2);
  ASSERT_EQ(done.size(), 2u);
  for (const JobDone& job : done) {
    ASSERT_EQ(job.status, JobDone::Status::kOk) << job.detail;
    if (job.id == local_id) {
      EXPECT_EQ(job.payload, "built");
      continue;
    }
    EXPECT_EQ(job.id, id);
    proto::TestRunRecord record;
    ASSERT_TRUE(record.ParseFromString(job.payload));
    EXPECT_EQ(record.testid(), "RUN@1a01-VIRTUAL_PICO");
  }
  absl::StatusOr<std::string> args = report::ReadFile(dir_ + "/srun.args");
  ASSERT_TRUE(args.ok());
  EXPECT_THAT(*args, HasSubstr("--nodelist=h1"));
  EXPECT_THAT(*args, HasSubstr("--gres=virtual_pico:1a01:1"));
  EXPECT_THAT(*args, HasSubstr("--time=2 "));  // 60 s + 30 s margin + 10 s grace, rounded up
  EXPECT_THAT(*args, HasSubstr("-- " + Runfile("core/sched/testing/fake_worker")));
  EXPECT_TRUE(Exists(dir_ + "/results/RUN@1a01-VIRTUAL_PICO,a/context_testgroup.json"));
  EXPECT_EQ(executor->running(), 0);
  EXPECT_EQ(tests_started, std::vector<std::string>{"RUN@1a01-VIRTUAL_PICO"});
}

TEST_F(SlurmExecutorTest, SrunExitingZeroWithoutTheRecordIsALostHost) {
  setenv("FAKE_SRUN_MODE", "lost", 1);
  auto executor = MakeExecutor();
  std::vector<JobDone> done = StartAndWait(*executor, RemoteRun("RUN@1a01-VIRTUAL_PICO"));
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].status, JobDone::Status::kLost) << done[0].detail;
  EXPECT_EQ(done[0].host, "fakehost");  // as the worker's hello named it
  EXPECT_THAT(done[0].detail, HasSubstr("lost its host fakehost: srun exited 0 without the "
                                        "worker's final record"));
  EXPECT_THAT(done[0].detail, HasSubstr("Node failure on h2"));
  // What the worker sent before the host died is kept.
  EXPECT_TRUE(Exists(dir_ + "/results/RUN@1a01-VIRTUAL_PICO,a/context_testgroup.json"));
}

TEST_F(SlurmExecutorTest, ARequestForAHostThatIsDownIsWithdrawnAsLost) {
  setenv("FAKE_SRUN_MODE", "dead", 1);
  auto executor = MakeExecutor();
  std::vector<JobDone> done = StartAndWait(*executor, RemoteRun("RUN@1a01-VIRTUAL_PICO"));
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].status, JobDone::Status::kLost) << done[0].detail;
  EXPECT_EQ(done[0].host, "h1");
  EXPECT_THAT(done[0].detail, HasSubstr("never started: its host h1 is down or was lost"));
}

TEST_F(SlurmExecutorTest, AWorkerThatDiesIsACrashNotALostHost) {
  setenv("FAKE_WORKER_MODE", "crash", 1);
  auto executor = MakeExecutor();
  std::vector<JobDone> done = StartAndWait(*executor, RemoteRun("RUN@1a01-VIRTUAL_PICO"));
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].status, JobDone::Status::kCrashed) << done[0].detail;
  EXPECT_THAT(done[0].detail, HasSubstr("the worker on fakehost died: srun killed by SIGABRT"));
}

TEST_F(SlurmExecutorTest, CancelAllAsksTheWorkerToEndThroughScancel) {
  setenv("FAKE_WORKER_MODE", "hang", 1);
  auto executor = MakeExecutor();
  executor->Start(RemoteRun("RUN@1a01-VIRTUAL_PICO"));
  WaitForFile(*executor, "RUN@1a01-VIRTUAL_PICO");
  executor->CancelAll();
  std::vector<JobDone> done = WaitFor(*executor, 1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].status, JobDone::Status::kTimedOut);
  EXPECT_THAT(done[0].detail, HasSubstr("interrupted"));
  EXPECT_THAT(done[0].detail, HasSubstr("boards powered off"));  // the worker's own words
  absl::StatusOr<std::string> scancel = report::ReadFile(dir_ + "/scancel.args");
  ASSERT_TRUE(scancel.ok());
  EXPECT_THAT(*scancel, HasSubstr("--signal=TERM 42"));
}

TEST_F(SlurmExecutorTest, AQueuedRunWaitsForItsTentacleWithoutItsDeadlineRunning) {
  setenv("FAKE_SRUN_MODE", "queued", 1);
  auto executor = MakeExecutor(/*margin=*/absl::ZeroDuration());
  executor->Start(RemoteRun("RUN@1a01-VIRTUAL_PICO", /*deadline=*/absl::Milliseconds(300)));
  // Another campaign holds the tentacle for longer than this run's deadline.
  const absl::Time until = absl::Now() + absl::Seconds(1);
  while (absl::Now() < until) ASSERT_TRUE(executor->Wait(absl::Milliseconds(100)).empty());
  EXPECT_EQ(executor->running(), 1);
  absl::StatusOr<std::string> said = report::ReadFile(dir_ + "/logs/slurm-1.srun.log");
  ASSERT_TRUE(said.ok());
  EXPECT_THAT(*said, HasSubstr("queued and waiting for resources"));
  ASSERT_TRUE(report::WriteFileAtomically(dir_ + "/release", "").ok());  // it is released
  std::vector<JobDone> done = WaitFor(*executor, 1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].status, JobDone::Status::kOk) << done[0].detail;
}

TEST_F(SlurmExecutorTest, PastTheDeadlineTheJobIsCancelled) {
  setenv("FAKE_WORKER_MODE", "hang", 1);
  auto executor = MakeExecutor(/*margin=*/absl::ZeroDuration());
  std::vector<JobDone> done = StartAndWait(
      *executor, RemoteRun("RUN@1a01-VIRTUAL_PICO", /*deadline=*/absl::Milliseconds(500)));
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].status, JobDone::Status::kTimedOut) << done[0].detail;
  EXPECT_THAT(done[0].detail, Not(HasSubstr("interrupted")));
  EXPECT_TRUE(Exists(dir_ + "/scancel.args"));
}

TEST_F(SlurmExecutorTest, HostsThatTakeNoJobAreNamedWithTheirState) {
  // Nodes as `sinfo -h -N -o '%N %T'` lists them: "mixed*" is how a dying host shows first.
  ASSERT_TRUE(report::WriteFileAtomically(dir_ + "/sinfo.out",
                                          "h1 mixed\nh2 mixed*\nh3 idle\nh4 drained\n"
                                          "h5 down*\nh6 allocated\n")
                  .ok());
  auto executor = MakeExecutor();
  absl::StatusOr<std::map<std::string, std::string>> unusable = executor->UnusableHosts();
  ASSERT_TRUE(unusable.ok()) << unusable.status();
  EXPECT_EQ(unusable->size(), 3u);
  EXPECT_EQ((*unusable)["h2"], "Slurm says host h2 is mixed*");
  EXPECT_EQ((*unusable)["h4"], "Slurm says host h4 is drained");
  EXPECT_EQ((*unusable)["h5"], "Slurm says host h5 is down*");
  absl::StatusOr<std::string> args = report::ReadFile(dir_ + "/sinfo.args");
  ASSERT_TRUE(args.ok());
  EXPECT_THAT(*args, HasSubstr("-h -N -o %N %T"));
}

TEST_F(SlurmExecutorTest, AControllerThatCannotBeReachedIsAnError) {
  auto executor = MakeExecutor();  // no sinfo output: the fake fails as sinfo does
  absl::StatusOr<std::map<std::string, std::string>> unusable = executor->UnusableHosts();
  EXPECT_EQ(unusable.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(unusable.status().message()),
              HasSubstr("Unable to contact slurm controller"));
}

TEST_F(SlurmExecutorTest, AWorkerThatRefusesTheRunSaysWhy) {
  setenv("FAKE_WORKER_MODE", "refuse", 1);
  auto executor = MakeExecutor();
  std::vector<JobDone> done = StartAndWait(*executor, RemoteRun("RUN@1a01-VIRTUAL_PICO"));
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].status, JobDone::Status::kCrashed);
  EXPECT_THAT(done[0].detail, HasSubstr("the worker on fakehost refused the run: mptest on host "
                                        "fakehost is version 0.0.0, the campaign's is 0.1.0"));
}

TEST_F(SlurmExecutorTest, AnInputThatCouldNotBeMadeEndsTheJobAtOnce) {
  auto executor = MakeExecutor();
  JobSpec job = RemoteRun("RUN@1a01-VIRTUAL_PICO");
  job.remote->error = "firmware VIRTUAL_PICO-: /gone: No such file";
  std::vector<JobDone> done = StartAndWait(*executor, std::move(job));
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].status, JobDone::Status::kCrashed);
  EXPECT_THAT(done[0].detail, HasSubstr("/gone: No such file"));
  EXPECT_FALSE(Exists(dir_ + "/srun.args"));
}

}  // namespace
}  // namespace mptest::sched
