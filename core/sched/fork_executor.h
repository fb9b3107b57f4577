// ForkExecutor: each job in its own forked child process (own process group, killed with the
// parent), its result sent back over a pipe. A crash is noticed as soon as the child's pipe
// closes; a job past its deadline gets before_kill, SIGTERM to its group, then SIGKILL.
#ifndef MPTEST_CORE_SCHED_FORK_EXECUTOR_H_
#define MPTEST_CORE_SCHED_FORK_EXECUTOR_H_

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "core/sched/executor.h"

namespace mptest::sched {

class ForkExecutor : public Executor {
 public:
  // `capacity`: jobs at once; `kill_grace`: between SIGTERM and SIGKILL.
  explicit ForkExecutor(int capacity, absl::Duration kill_grace = absl::Seconds(2));
  ~ForkExecutor() override;  // kills and reaps every child still running

  int Start(JobSpec job) override;
  int running() const override { return static_cast<int>(children_.size()); }
  int capacity() const override { return capacity_; }
  std::vector<JobDone> Wait(absl::Duration max_wait) override;
  absl::Time Now() const override { return absl::Now(); }
  void CancelAll() override;

 private:
  struct Child {
    pid_t pid = -1;
    int fd = -1;  // read end of the result pipe, -1 once closed
    std::string buffer;
    absl::Time start;
    absl::Time deadline;
    std::function<void()> before_kill;
    std::string name;
    bool cancelled = false;
  };
  // Reaps the child and turns what it sent into a JobDone.
  JobDone Finish(int id, Child& child, bool timed_out);
  void KillGroup(Child& child);

  int capacity_;
  absl::Duration kill_grace_;
  int next_id_ = 1;
  std::map<int, Child> children_;
};

}  // namespace mptest::sched

#endif  // MPTEST_CORE_SCHED_FORK_EXECUTOR_H_
