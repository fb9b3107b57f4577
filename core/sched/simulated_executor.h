// SimulatedExecutor: jobs on a simulated clock, for scheduler tests and benchmarks. work() runs
// at once in this process; the job "ends" after the duration the caller's function gives it
// (past its deadline it times out, after before_kill).
#ifndef MPTEST_CORE_SCHED_SIMULATED_EXECUTOR_H_
#define MPTEST_CORE_SCHED_SIMULATED_EXECUTOR_H_

#include <functional>
#include <queue>
#include <string>
#include <vector>

#include "core/sched/executor.h"

namespace mptest::sched {

class SimulatedExecutor : public Executor {
 public:
  // `duration_of(name, payload)`: how long the job runs. kCrashedPayload as payload prefix makes
  // the job end as crashed (the rest of the payload is the detail).
  using DurationFn = std::function<absl::Duration(const std::string&, const std::string&)>;
  SimulatedExecutor(int capacity, DurationFn duration_of, absl::Time start = absl::UnixEpoch());

  static constexpr char kCrashedPayload[] = "\x01crash:";

  int Start(JobSpec job) override;
  int running() const override { return static_cast<int>(pending_.size()); }
  int capacity() const override { return capacity_; }
  std::vector<JobDone> Wait(absl::Duration max_wait) override;
  absl::Time Now() const override { return now_; }

 private:
  struct Pending {
    absl::Time end;
    int id;
    JobDone done;
    bool operator>(const Pending& other) const {
      return end != other.end ? end > other.end : id > other.id;
    }
  };
  int capacity_;
  DurationFn duration_of_;
  absl::Time now_;
  int next_id_ = 1;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<Pending>> pending_;
};

}  // namespace mptest::sched

#endif  // MPTEST_CORE_SCHED_SIMULATED_EXECUTOR_H_
