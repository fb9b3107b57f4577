// ProcessExecutor: the scheduler's jobs as Supervisor calls (see process_executor.h).
#include "core/sched/process_executor.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/sched/descriptor_reserve.h"
#include "core/sched/record_io.h"
#include "glog/logging.h"

namespace mptest::sched {

process::PcallOptions ProcessExecutor::Options(process::Context context, absl::Duration kill_grace,
                                               const std::string& log_dir, bus::EventBus* bus) {
  process::PcallOptions options;
  options.context = context;
  options.kill_grace = kill_grace;
  options.task = "mptest-job";
  // A job's glog output goes to its own file, merged into this process's log as it ends (seed
  // 002's joined log); without a directory it stays where the parent configured it.
  options.child_logs = !log_dir.empty();
  options.log_dir = log_dir;
  // mptest handles SIGINT/SIGTERM itself (Campaign's `interrupted`, then CancelAll).
  options.handle_interrupts = false;
  options.bus = bus;
  return options;
}

ProcessExecutor::ProcessExecutor(int capacity, absl::Duration kill_grace,
                                 std::optional<process::Context> context, std::string log_dir,
                                 bus::EventBus* bus)
    : context_(context.value_or(process::DefaultContext())),
      capacity_(context_ == process::Context::kInline ? 1 : capacity),
      supervisor_(Options(context_, kill_grace, log_dir, bus)) {
  CHECK(context_ != process::Context::kSpawn)
      << "ProcessExecutor runs closures: the spawn context cannot run them";
}

int ProcessExecutor::Start(JobSpec job) {
  absl::Status started = absl::FailedPreconditionError(start_failure_);
  int index = -1;
  if (start_failure_.empty()) {
    process::CallSpec call;
    call.target = job.name;
    call.run = std::move(job.work);
    call.timeout = job.deadline;
    call.before_kill = std::move(job.before_kill);
    absl::StatusOr<int> added = supervisor_.Add(std::move(call));
    started = added.status();
    if (added.ok()) {
      index = *added;
      // Added but not launched (no descriptor for its channel): known now, before the next
      // job takes what the reserve gives back.
      const proto::ChildError& error = supervisor_.outcomes()[index].error.error;
      if (error.kind() == proto::ChildError::START_FAILED) NoteStartFailure(error.detail());
    }
  }
  if (!started.ok()) {  // e.g. no descriptor left for its epoll (EMFILE)
    NoteStartFailure(started.message());
    JobDone done;
    done.id = -static_cast<int>(failed_starts_.size()) - 1 - failed_start_count_;
    done.status = JobDone::Status::kCrashed;
    done.detail = absl::StrCat(job.name, ": could not be started: ", started.message());
    done.start = done.end = absl::Now();
    failed_starts_.push_back(done);
    return done.id;
  }
  names_[index] = job.name;
  return index;
}

void ProcessExecutor::NoteStartFailure(absl::string_view message) {
  if (!start_failure_.empty() || !IsHostResourceError(message)) return;
  // The host ran out: the held-back descriptors let the campaign record this and end.
  ReleaseReservedDescriptors();
  start_failure_ = std::string(message);
}

void ProcessExecutor::CancelAll() {
  supervisor_.CancelAll("interrupted: boards powered off, process group killed");
}

void ProcessExecutor::KillAll() {
  supervisor_.KillAllNow("interrupted again: boards powered off, process group killed at once");
}

std::vector<JobDone> ProcessExecutor::Wait(absl::Duration max_wait) {
  std::vector<JobDone> finished;
  if (!failed_starts_.empty()) {
    failed_start_count_ += static_cast<int>(failed_starts_.size());
    finished.swap(failed_starts_);
    return finished;
  }
  for (int index : supervisor_.WaitAny(max_wait)) {
    process::CallOutcome outcome = supervisor_.TakeOutcome(index);
    JobDone done;
    done.id = index;
    done.start = outcome.start == absl::InfinitePast() ? outcome.end : outcome.start;
    done.end = outcome.end;
    const proto::ChildError& error = outcome.error.error;
    const std::string name = std::move(names_[index]);
    names_.erase(index);
    if (outcome.ok) {
      done.payload = std::move(outcome.encoded_result);
    } else if (error.kind() == proto::ChildError::TIMED_OUT) {
      done.status = JobDone::Status::kTimedOut;
      done.detail =
          absl::StrCat(name, ": ", outcome.error.Summary(), ": boards powered off",
                       context_ == process::Context::kInline ? "" : ", process group killed");
    } else if (error.kind() == proto::ChildError::CANCELLED) {
      done.status = JobDone::Status::kTimedOut;  // as the Executor contract says
      done.detail = absl::StrCat(name, ": ", outcome.error.Summary());
    } else {
      done.status = JobDone::Status::kCrashed;
      done.detail = absl::StrCat(name, ": ", outcome.error.Summary());
      // No channel or no process for it (EMFILE on its pipe, say).
      if (error.kind() == proto::ChildError::START_FAILED) NoteStartFailure(error.detail());
    }
    finished.push_back(std::move(done));
  }
  return finished;
}

}  // namespace mptest::sched
