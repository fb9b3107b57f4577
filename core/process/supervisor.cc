// The Supervisor's public face: construction and teardown, Start/Add, Join/WaitAny, results
// and the final status. Launching children is supervisor_launch.cc, the event loop
// supervisor_loop.cc, ending children supervisor_kill.cc. See supervisor.h for the contract.
#include "core/process/supervisor.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "core/bus/event_sender.h"
#include "core/log/child_log.h"
#include "core/process/descendants.h"
#include "core/process/interrupts.h"
#include "core/process/posix_util.h"
#include "core/process/subprocess.h"
#include "core/process/supervisor_child.h"
#include "glog/logging.h"

namespace mptest::process {

Supervisor::Supervisor(std::vector<CallSpec> calls, PcallOptions options)
    : calls_(std::move(calls)),
      options_(std::move(options)),
      context_(options_.context.value_or(DefaultContext())) {
  if (options_.log_dir.empty()) options_.log_dir = log::DefaultLogDir();
  for (size_t i = 0; i < calls_.size(); ++i) {
    children_.push_back(std::make_unique<Child>());
    children_.back()->index = static_cast<int>(i);
  }
  outcomes_.resize(calls_.size());
  activities_.Follow(options_.bus);
}

Supervisor::~Supervisor() {
  for (auto& child : children_) {
    if (child->state != Child::State::kRunning) continue;
    if (child->inline_run != nullptr) {  // its thread cannot be ended: make it fail, leave it
      RunBeforeKill(*child);
      bus::RemoveEventSender();
      AbandonInline(*child, "its supervisor was destroyed while it ran");
      continue;
    }
    Signal(*child, SIGKILL);
    WaitPidRetry(child->pid);
    KillAndReapGroup(child->pid, 1000);
    EndLeftovers(std::move(child->descendants), 1000);
  }
  if (epoll_fd_ >= 0) close(epoll_fd_);
  if (devnull_ >= 0) close(devnull_);
}

absl::Status Supervisor::ValidateSpawnTarget(const CallSpec& call) const {
  if (context_ != Context::kSpawn || !call.spawn_target.empty()) return absl::OkStatus();
  if (!call.spawn_unavailable.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "target '", call.target, "' cannot run in the spawn context: ", call.spawn_unavailable));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("target '", call.target,
                   "' cannot run in the spawn context: it is not registered. "
                   "Add MPTEST_REGISTER_TARGET(",
                   call.target,
                   ") at namespace scope, and call "
                   "RunSpawnedChildIfRequested() first in main()"));
}

absl::Status Supervisor::Start() {
  if (started_) return absl::FailedPreconditionError("Pcall::start() called twice");
  for (const CallSpec& call : calls_) {
    absl::Status valid = ValidateSpawnTarget(call);
    if (!valid.ok()) return valid;
  }
  if (context_ == Context::kInline) {
    started_ = true;
    return RunInline();
  }
  absl::Status prepared = Prepare();
  if (!prepared.ok()) return prepared;
  LaunchPending();
  return absl::OkStatus();
}

absl::StatusOr<int> Supervisor::Add(CallSpec call) {
  if (!incremental_ && (started_ || !calls_.empty())) {
    return absl::FailedPreconditionError(
        "Supervisor::Add needs a supervisor constructed without calls (Supervisor(options))");
  }
  if (joined_) return absl::FailedPreconditionError("Supervisor::Add called after Join");
  absl::Status valid = ValidateSpawnTarget(call);
  if (!valid.ok()) return valid;
  if (!started_) {
    incremental_ = true;
    absl::Status prepared = Prepare();
    if (!prepared.ok()) return prepared;
  }
  const int index = static_cast<int>(calls_.size());
  calls_.push_back(std::move(call));
  children_.push_back(std::make_unique<Child>());
  children_.back()->index = index;
  outcomes_.emplace_back();
  ++unreported_;
  if (stopping_) {
    CancelPending("the supervisor is stopping (interrupted)");
  } else {
    LaunchPending();
  }
  return index;
}

void Supervisor::MarkEnded(Child& child) {
  child.state = Child::State::kDone;
  outcomes_[child.index].end = absl::Now();
  ended_.push_back(child.index);
}

CallOutcome Supervisor::TakeOutcome(int index) {
  CallOutcome& stored = outcomes_.at(static_cast<size_t>(index));
  std::string result = std::move(stored.encoded_result);
  stored.encoded_result = std::string();
  CallOutcome taken = stored;
  taken.encoded_result = std::move(result);
  return taken;
}

std::vector<int> Supervisor::WaitAny(absl::Duration timeout) {
  if (started_ && !joined_) {
    const absl::Time until = absl::Now() + timeout;
    if (context_ == Context::kInline) {
      WaitInline(until);
    } else {
      const int interrupt_fd = AcquireInterrupts();
      absl::Status loop = Loop(until, LoopMode::kUntilAnyDone);
      ReleaseInterrupts(interrupt_fd);
      if (!loop.ok()) LOG(ERROR) << "Supervisor::WaitAny: " << loop;
    }
  }
  std::vector<int> ended;
  ended.swap(ended_);
  unreported_ -= static_cast<int>(ended.size());
  return ended;
}

std::vector<pid_t> Supervisor::Pids() const {
  std::vector<pid_t> pids;
  for (const auto& child : children_) {
    if (child->pid > 0) pids.push_back(child->pid);
  }
  return pids;
}

std::vector<pid_t> Supervisor::Living() const {
  std::vector<pid_t> pids;
  for (const auto& child : children_) {
    if (child->state != Child::State::kRunning || child->exited) continue;
    if (child->inline_run != nullptr) continue;
    struct pollfd fd = {child->pidfd.get(), POLLIN, 0};
    if (poll(&fd, 1, 0) == 0) pids.push_back(child->pid);
  }
  return pids;
}

absl::Status Supervisor::Join(absl::Duration timeout) {
  if (!started_) return absl::FailedPreconditionError("Pcall::join() called before start()");
  if (joined_) return join_status_;
  if (context_ == Context::kInline && incremental_) {
    const absl::Time until = absl::Now() + timeout;
    bool cancelled = false;
    for (;;) {
      ended_.clear();  // Join reports through outcomes()
      bool busy = false;
      for (const auto& child : children_) busy |= child->state != Child::State::kDone;
      if (!busy) break;
      if (!cancelled && absl::Now() >= until) {
        cancelled = true;
        CancelAll("the join deadline passed");
      }
      WaitInline(cancelled ? absl::InfiniteFuture() : until);
    }
    unreported_ = 0;
  } else if (context_ != Context::kInline) {
    const int interrupt_fd = AcquireInterrupts();
    absl::Status loop = Loop(absl::Now() + timeout, LoopMode::kUntilAllDone);
    ReleaseInterrupts(interrupt_fd);
    if (!loop.ok()) {
      joined_ = true;
      join_status_ = loop;
      return join_status_;
    }
    if (options_.child_logs && !killed_at_once_) {
      for (const auto& child : children_) {
        if (!child->log_path.empty() && !child->log_merged) log::MergeChildLog(child->log_path);
      }
    }
  }
  joined_ = true;
  join_status_ = FinalStatus();
  return join_status_;
}

absl::Status Supervisor::FinalStatus() const {
  if (interrupted_) {
    return absl::CancelledError(
        absl::StrCat("pcall interrupted by ", SignalName(LastInterruptSignal()),
                     killed_at_once_ ? ": children killed at once (second SIGINT)"
                                     : ": children terminated; their events and logs were kept"));
  }
  if (!timed_out_.empty()) {
    absl::Status status = absl::DeadlineExceededError(
        absl::StrCat("pcall timed out; children still alive at the deadline were terminated: ",
                     absl::StrJoin(timed_out_, ", ")));
    for (const CallOutcome& outcome : outcomes_) {
      if (outcome.error.error.kind() == proto::ChildError::TIMED_OUT) {
        status.SetPayload(kChildErrorPayloadUrl,
                          absl::Cord(outcome.error.error.SerializeAsString()));
        break;
      }
    }
    return status;
  }
  for (const CallOutcome& outcome : outcomes_) {
    if (!outcome.ok && outcome.error.error.kind() != proto::ChildError::CANCELLED) {
      return outcome.error.ToStatus();
    }
  }
  for (const CallOutcome& outcome : outcomes_) {
    if (!outcome.ok) return outcome.error.ToStatus();
  }
  return absl::OkStatus();
}

}  // namespace mptest::process
