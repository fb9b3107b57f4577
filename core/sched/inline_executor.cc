// InlineExecutor: jobs in this process with enforced deadlines (see inline_executor.h).
#include "core/sched/inline_executor.h"

#include <exception>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "glog/logging.h"

namespace mptest::sched {

struct InlineExecutor::Shared {
  absl::Mutex mutex;
  bool done ABSL_GUARDED_BY(mutex) = false;
  bool crashed ABSL_GUARDED_BY(mutex) = false;
  std::string payload ABSL_GUARDED_BY(mutex);
};

InlineExecutor::~InlineExecutor() {
  if (current_ && current_->before_kill) current_->before_kill();
}

int InlineExecutor::Start(JobSpec job) {
  CHECK(!current_) << "InlineExecutor runs one job at a time";
  auto shared = std::make_shared<Shared>();
  std::thread([shared, work = std::move(job.work), name = job.name] {
    std::string payload;
    bool crashed = false;
    try {
      payload = work();
    } catch (const std::exception& error) {
      crashed = true;
      payload = absl::StrCat(name, ": exception: ", error.what());
    } catch (...) {
      crashed = true;
      payload = absl::StrCat(name, ": unknown exception");
    }
    absl::MutexLock lock(&shared->mutex);
    shared->done = true;
    shared->crashed = crashed;
    shared->payload = std::move(payload);
  }).detach();
  int id = next_id_++;
  absl::Time now = absl::Now();
  current_ = Current{id, shared, now, now + job.deadline, std::move(job.before_kill), job.name};
  return id;
}

std::vector<JobDone> InlineExecutor::Wait(absl::Duration max_wait) {
  if (!current_) return {};
  Current& job = *current_;
  absl::Time until =
      std::min(absl::Now() + max_wait, job.killed ? job.deadline + grace_ : job.deadline);
  bool done = false;
  {
    absl::MutexLock lock(&job.shared->mutex);
    job.shared->mutex.AwaitWithDeadline(absl::Condition(&job.shared->done), until);
    done = job.shared->done;
  }
  JobDone result;
  result.id = job.id;
  result.start = job.start;
  if (done) {
    absl::MutexLock lock(&job.shared->mutex);
    result.end = absl::Now();
    if (job.killed) {
      result.status = JobDone::Status::kTimedOut;
      result.detail =
          absl::StrCat(job.name, ": timed out after ",
                       absl::FormatDuration(job.deadline - job.start), ": boards powered off");
    } else if (job.shared->crashed) {
      result.status = JobDone::Status::kCrashed;
      result.detail = job.shared->payload;
    } else {
      result.payload = std::move(job.shared->payload);
    }
    current_.reset();
    return {result};
  }
  absl::Time now = absl::Now();
  if (!job.killed && now >= job.deadline) {
    job.killed = true;
    if (job.before_kill) job.before_kill();
    return {};
  }
  if (job.killed && now >= job.deadline + grace_) {
    result.end = now;
    result.status = JobDone::Status::kTimedOut;
    result.detail =
        absl::StrCat(job.name, ": timed out after ", absl::FormatDuration(job.deadline - job.start),
                     "; it did not stop after its boards were powered off, so its "
                     "thread was abandoned");
    current_.reset();  // the thread keeps `shared` alive until it returns
    return {result};
  }
  return {};
}

}  // namespace mptest::sched
