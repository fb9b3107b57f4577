// SlurmExecutor: test runs go to the Slurm host holding their tentacles, each attempt one
// attached `srun -w <host> --gres=<board kind>:<tentacle id>:1[,...] -- mptest worker` started
// through core/process; firmware builds and the campaign's own plugin calls stay on this host
// (a local executor). Slurm is the lab-wide lock and queue: a tentacle another campaign holds
// makes the attempt wait in Slurm's queue, and the run's deadline counts from the moment the
// worker says hello (its allocation), not from the submission.
//
// What comes back is the worker's frames (core/proto/worker.proto) on srun's stdout: the files of
// the run's results directory, written here as they arrive, then WorkerDone. Success is that
// final message, never srun's exit status: srun exits 0 when its host dies. A run that ends
// without it (host or slurmd gone, the job cancelled by someone else) is JobDone::kLost, to be
// retried elsewhere; one the campaign cancelled or that overran is kTimedOut.
#ifndef MPTEST_CORE_SCHED_SLURM_EXECUTOR_H_
#define MPTEST_CORE_SCHED_SLURM_EXECUTOR_H_

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/bus/event_bus.h"
#include "core/bus/frame.h"
#include "core/process/posix_util.h"
#include "core/proto/worker.pb.h"
#include "core/sched/executor.h"

namespace mptest::sched {

struct SlurmOptions {
  std::string srun = "srun";
  std::string scancel = "scancel";
  std::string sinfo = "sinfo";
  // The worker's command line on the hosts (`<installed mptest> worker` and its flags).
  std::vector<std::string> worker;
  std::vector<std::string> srun_args;  // more srun options (a partition, an account)
  std::string results_dir;             // the workers' files land here
  std::string log_dir;                 // srun's input and stderr, per job
  // Where the workers' events (each test as it starts and ends) are published, or nullptr.
  bus::EventBus* bus = nullptr;
  // Between asking the worker to end (scancel --signal=TERM: it powers the boards off and
  // sends what it has) and killing srun (which makes Slurm cancel the job).
  absl::Duration kill_grace = absl::Seconds(15);
  // Added to a job's deadline here: the worker enforces the deadline on the host; this one is
  // the backstop for a worker that cannot.
  absl::Duration deadline_margin = absl::Seconds(30);
};

class SlurmExecutor : public Executor {
 public:
  // `local` runs every job without JobSpec::remote (builds, plugin calls).
  SlurmExecutor(SlurmOptions options, std::unique_ptr<Executor> local, int remote_capacity);
  ~SlurmExecutor() override;

  int Start(JobSpec job) override;
  int running() const override;
  int capacity() const override { return local_->capacity() + remote_capacity_; }
  std::vector<JobDone> Wait(absl::Duration max_wait) override;
  void WakeOn(int fd) override {
    wake_fds_.push_back(fd);
    local_->WakeOn(fd);
  }
  absl::Time Now() const override { return absl::Now(); }
  void CancelAll() override;
  void KillAll() override;
  bool remote() const override { return true; }
  // From `sinfo -h -N -o "%N %T"`: hosts whose state is down, drained or draining, failing,
  // in maintenance, unknown or not responding (a trailing '*': it shows before "down" does).
  absl::StatusOr<std::map<std::string, std::string>> UnusableHosts() override;

  // srun's --time for a job with `deadline`: whole minutes, rounded up, with the margin and
  // the grace (Slurm's limit is a backstop; it is enforced late).
  std::string TimeLimit(absl::Duration deadline) const;

 private:
  struct Remote {
    int id = 0;
    std::string name;
    std::string host;
    absl::Duration deadline;
    pid_t pid = -1;
    process::UniqueFd out;  // srun's stdout; closed at its end (srun may outlive it)
    bus::FrameReader reader{bus::kMaxFrameLimit};
    std::string input_path;  // srun's stdin, removed when the job ends
    std::string stderr_path;
    absl::Time submitted;
    std::optional<absl::Time> allocated;  // the worker's hello
    std::string job_id;
    std::string error;  // the worker's refusal
    std::optional<proto::WorkerDone> done;
    std::string stream_error;  // a malformed frame, a file that could not be written
    bool cancelled = false;    // by the campaign (CancelAll) or its deadline
    bool interrupted = false;  // CancelAll's
    bool host_lost = false;    // queued for a host another job was lost with: withdrawn
    bool broken = false;       // a malformed frame: srun is killed
    std::optional<absl::Time> kill_at;
  };

  void Submit(Remote& remote, const RemoteJob& job);
  // Reads what srun's stdout has; false at its end.
  bool Pump(Remote& remote);
  void Handle(Remote& remote, const proto::WorkerMessage& message);
  // Asks the worker to end (or srun, before the worker said hello), then kills at the grace.
  void Cancel(Remote& remote, bool interrupted);
  // The job's end, once srun (pid) exited with `status` and was reaped.
  JobDone Reap(Remote& remote, int status);
  // Withdraws the requests still queued for `host` (a job on it was just lost): each ends lost.
  void WithdrawQueued(const std::string& host);

  SlurmOptions options_;
  std::unique_ptr<Executor> local_;
  std::vector<int> wake_fds_;  // WakeOn's
  int remote_capacity_;
  int next_id_ = 1;
  std::map<int, int> local_ids_;  // the local executor's id -> ours
  std::map<int, std::unique_ptr<Remote>> remotes_;
  std::vector<JobDone> failed_starts_;
  absl::Time last_queue_look_ = absl::InfinitePast();
};

}  // namespace mptest::sched

#endif  // MPTEST_CORE_SCHED_SLURM_EXECUTOR_H_
