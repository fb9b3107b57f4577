// Executor: how the scheduler runs its jobs (firmware builds, test runs): each in a supervised
// child process with a deadline, inline for a debugger, or on a simulated clock for tests and
// benchmarks. The scheduler's loop only starts jobs and waits for them to end.
#ifndef MPTEST_CORE_SCHED_EXECUTOR_H_
#define MPTEST_CORE_SCHED_EXECUTOR_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace mptest::sched {

// A test run as an executor that runs it on another host needs it (SlurmExecutor): the
// serialized proto::WorkerInput, and where it must run. Executors that run `work` ignore it.
struct RemoteJob {
  std::string input;                   // proto::WorkerInput, serialized
  std::string host;                    // the host holding the tentacles ("" = any)
  std::vector<std::string> gres;       // the tentacles, as Slurm GRES: <board kind>:<tentacle id>:1
  std::vector<std::string> tentacles;  // their labels, for messages
  std::string error;  // the input could not be made: the job ends at once with this detail
};

struct JobSpec {
  std::string name;  // the test id or BOARD-VARIANT, for messages
  // The job's hard limit, counted from its start.
  absl::Duration deadline = absl::InfiniteDuration();
  // Runs in the child (or inline). Returns the job's result, serialized.
  std::function<std::string()> work;
  // Runs in the parent when the deadline expires, before the job is killed: power the boards
  // off so that nothing keeps using them (the anchor's "dying gasp").
  std::function<void()> before_kill;
  // Filled when the executor runs jobs remotely (Executor::remote()), for test runs only.
  std::optional<RemoteJob> remote;
};

struct JobDone {
  // kLost: the job's host went away (or never ran it) before the job finished; it says
  // nothing about the job or its boards, and may run again elsewhere.
  enum class Status { kOk, kCrashed, kTimedOut, kLost };
  int id = 0;
  Status status = Status::kOk;
  std::string payload;  // work()'s result when kOk
  std::string detail;   // why the job crashed ("killed by SIGSEGV", "exited 3 without a result")
  std::string host;     // kLost: the host that was lost
  absl::Time start;
  absl::Time end;
};

class Executor {
 public:
  virtual ~Executor() = default;
  // Starts the job; returns its id.
  virtual int Start(JobSpec job) = 0;
  // Jobs started and not yet returned by Wait.
  virtual int running() const = 0;
  // How many jobs may run at once (1 for inline execution).
  virtual int capacity() const = 0;
  // Waits until at least one job ended, or `max_wait` passed, and returns those that ended.
  // A job that crashes is returned as soon as its process is gone.
  virtual std::vector<JobDone> Wait(absl::Duration max_wait) = 0;
  // True when test runs go to other hosts (JobSpec::remote is needed, `work` is not run for
  // them): the campaign then neither starts nor stops the tentacles itself; each run's worker
  // does, on the tentacles' host.
  virtual bool remote() const { return false; }
  // remote(): the hosts that take no job now (down, drained, not responding), each with why; an
  // error when the executor cannot learn it (Slurm's controller cannot be reached).
  virtual absl::StatusOr<std::map<std::string, std::string>> UnusableHosts() {
    return std::map<std::string, std::string>();
  }
  // Wait also returns, maybe with nothing ended, when `fd` is readable: the caller serves it
  // between waits on its own thread (mptest's reporter socket, the USB watchdog's pipe), so no
  // thread of the campaign runs while jobs are forked. Level-triggered; `fd` stays open while
  // the executor lives. Executors without descriptors to wait on ignore it.
  virtual void WakeOn(int /*fd*/) {}
  // The executor's clock (simulated for SimulatedExecutor).
  virtual absl::Time Now() const = 0;
  // Ends every running job as if its deadline had passed now (before_kill, then the kill);
  // Wait reports them as kTimedOut with "interrupted" in the detail.
  virtual void CancelAll() {}
  // CancelAll without the grace: every running job is killed now (SIGKILL), also one that
  // CancelAll already ended and that is still in its grace (a second SIGINT).
  virtual void KillAll() { CancelAll(); }
};

}  // namespace mptest::sched

#endif  // MPTEST_CORE_SCHED_EXECUTOR_H_
