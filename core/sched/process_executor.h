// ProcessExecutor: the scheduler's jobs run through core/process's Supervisor (the core's
// TargetCtx), one call per job: in the fork context each job is a supervised child (own
// process group, killed with the parent, a crash noticed as soon as the child is gone, past
// its deadline before_kill then SIGTERM, grace, SIGKILL, grandchildren ended); in the inline
// context (--nomultiprocessing) one job at a time in this process, deadlines still enforced.
#ifndef MPTEST_CORE_SCHED_PROCESS_EXECUTOR_H_
#define MPTEST_CORE_SCHED_PROCESS_EXECUTOR_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "core/process/supervisor.h"
#include "core/sched/executor.h"

namespace mptest::sched {

class ProcessExecutor : public Executor {
 public:
  // `capacity`: jobs at once (1 in the inline context); `kill_grace`: between SIGTERM and
  // SIGKILL (inline: between before_kill and abandoning the job); `context`: unset =
  // process::DefaultContext() (mptest's --nomultiprocessing sets kInline). kSpawn is not
  // supported: jobs are closures. `log_dir`: each forked job's glog output goes to a file of
  // its own there, merged into this process's log (between ">>>> Begin child log" and "<<<< End
  // child log" lines) as the job ends; "" = jobs log where this process does.
  // `bus`: where the jobs' events (bus::SendEvent in a job, and the Exit the supervisor adds as
  // each ends) are published, on the thread that calls Wait; nullptr = dropped.
  explicit ProcessExecutor(int capacity, absl::Duration kill_grace = absl::Seconds(2),
                           std::optional<process::Context> context = std::nullopt,
                           std::string log_dir = "", bus::EventBus* bus = nullptr);

  int Start(JobSpec job) override;
  int running() const override {
    return supervisor_.unreported() + static_cast<int>(failed_starts_.size());
  }
  int capacity() const override { return capacity_; }
  std::vector<JobDone> Wait(absl::Duration max_wait) override;
  absl::Time Now() const override { return absl::Now(); }
  void WakeOn(int fd) override { supervisor_.AddWakeFd(fd); }
  void CancelAll() override;
  void KillAll() override;

  process::Context context() const { return context_; }

 private:
  static process::PcallOptions Options(process::Context context, absl::Duration kill_grace,
                                       const std::string& log_dir, bus::EventBus* bus);
  // A job could not be started: if for the host's fault, releases the descriptor reserve and
  // starts nothing more (start_failure_).
  void NoteStartFailure(absl::string_view message);

  process::Context context_;
  int capacity_;
  process::Supervisor supervisor_;
  std::map<int, std::string> names_;  // running jobs by supervisor index
  // Jobs the supervisor could not start (negative ids), reported by the next Wait.
  std::vector<JobDone> failed_starts_;
  int failed_start_count_ = 0;
  // Why the first job that could not be started for the host's fault could not (it ran out of
  // descriptors: IsHostResourceError): later jobs are not tried, so the descriptors released
  // then stay for the campaign's records and reports.
  std::string start_failure_;
};

// The executors mptest picks: a forked child per job, or inline (--nomultiprocessing).
class ForkExecutor : public ProcessExecutor {
 public:
  explicit ForkExecutor(int capacity, absl::Duration kill_grace = absl::Seconds(2))
      : ProcessExecutor(capacity, kill_grace, process::Context::kFork) {}
};
class InlineExecutor : public ProcessExecutor {
 public:
  explicit InlineExecutor(absl::Duration grace = absl::Seconds(2))
      : ProcessExecutor(1, grace, process::Context::kInline) {}
};

}  // namespace mptest::sched

#endif  // MPTEST_CORE_SCHED_PROCESS_EXECUTOR_H_
