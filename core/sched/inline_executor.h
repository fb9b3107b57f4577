// InlineExecutor (--nomultiprocessing): one job at a time in this process, on a worker thread so
// that its deadline is still enforced: past the deadline the boards are powered off
// (before_kill), which makes a harness blocked on a board fail; a job that still does not return
// is abandoned and reported as timed out.
#ifndef MPTEST_CORE_SCHED_INLINE_EXECUTOR_H_
#define MPTEST_CORE_SCHED_INLINE_EXECUTOR_H_

#include <memory>
#include <optional>

#include "core/sched/executor.h"

namespace mptest::sched {

class InlineExecutor : public Executor {
 public:
  explicit InlineExecutor(absl::Duration grace = absl::Seconds(2)) : grace_(grace) {}
  ~InlineExecutor() override;

  int Start(JobSpec job) override;
  int running() const override { return current_ ? 1 : 0; }
  int capacity() const override { return 1; }
  std::vector<JobDone> Wait(absl::Duration max_wait) override;
  absl::Time Now() const override { return absl::Now(); }
  void CancelAll() override {
    if (current_) current_->deadline = std::min(current_->deadline, absl::Now());
  }

 private:
  struct Shared;
  struct Current {
    int id;
    std::shared_ptr<Shared> shared;
    absl::Time start;
    absl::Time deadline;
    std::function<void()> before_kill;
    std::string name;
    bool killed = false;
  };
  absl::Duration grace_;
  int next_id_ = 1;
  std::optional<Current> current_;
};

}  // namespace mptest::sched

#endif  // MPTEST_CORE_SCHED_INLINE_EXECUTOR_H_
