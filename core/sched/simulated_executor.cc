// SimulatedExecutor: jobs on a simulated clock (see simulated_executor.h).
#include "core/sched/simulated_executor.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace mptest::sched {

SimulatedExecutor::SimulatedExecutor(int capacity, DurationFn duration_of, absl::Time start)
    : capacity_(capacity), duration_of_(std::move(duration_of)), now_(start) {}

int SimulatedExecutor::Start(JobSpec job) {
  int id = next_id_++;
  JobDone done;
  done.id = id;
  done.start = now_;
  std::string payload = job.work();
  absl::Duration duration = duration_of_(job.name, payload);
  if (duration > job.deadline) {
    if (job.before_kill) job.before_kill();
    done.status = JobDone::Status::kTimedOut;
    done.detail = absl::StrCat(job.name, ": timed out after ", absl::FormatDuration(job.deadline));
    duration = job.deadline;
  } else if (absl::StartsWith(payload, kCrashedPayload)) {
    done.status = JobDone::Status::kCrashed;
    done.detail = payload.substr(sizeof(kCrashedPayload) - 1);
  } else {
    done.payload = std::move(payload);
  }
  done.end = now_ + duration;
  pending_.push(Pending{done.end, id, std::move(done)});
  return id;
}

std::vector<JobDone> SimulatedExecutor::Wait(absl::Duration /*max_wait*/) {
  std::vector<JobDone> finished;
  if (pending_.empty()) return finished;
  now_ = std::max(now_, pending_.top().end);
  while (!pending_.empty() && pending_.top().end <= now_) {
    finished.push_back(pending_.top().done);
    pending_.pop();
  }
  return finished;
}

}  // namespace mptest::sched
