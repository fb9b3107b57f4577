// The Supervisor's event loop: one epoll over every child's pidfd and channel (and the
// interrupt pipe), draining channels and event rings while it waits, enforcing deadlines and
// kill escalation, and turning each ended child into its CallOutcome. See supervisor.h.
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/bus/event_ring.h"
#include "core/bus/frame.h"
#include "core/log/child_log.h"
#include "core/process/interrupts.h"
#include "core/process/posix_util.h"
#include "core/process/subprocess.h"
#include "core/process/supervisor.h"
#include "core/process/supervisor_child.h"
#include "glog/logging.h"

namespace mptest::process {
namespace {

int MillisUntil(absl::Time wake, absl::Time now) {
  if (wake == absl::InfiniteFuture()) return -1;
  if (wake <= now) return 0;
  return static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(wake - now) + 1, 60000));
}

}  // namespace

int Supervisor::AcquireInterrupts() {
  if (!options_.handle_interrupts) return -1;
  const int interrupt_fd = AcquireInterruptHandlers();
  interrupts_seen_ = InterruptCount();
  struct epoll_event event;
  memset(&event, 0, sizeof(event));
  event.events = EPOLLIN | EPOLLET;
  event.data.u64 = kInterruptKey;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, interrupt_fd, &event);
  return interrupt_fd;
}

void Supervisor::AddWakeFd(int fd) {
  if (context_ == Context::kInline) return;
  wake_fds_.push_back(fd);
  if (epoll_fd_ >= 0) WatchWakeFd(fd);
}

void Supervisor::WatchWakeFd(int fd) {
  struct epoll_event event;
  memset(&event, 0, sizeof(event));
  event.events = EPOLLIN;
  event.data.u64 = kWakeKey;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
    PLOG(WARNING) << "pcall: cannot watch descriptor " << fd << " for wake-ups";
  }
}

void Supervisor::RemoveWakeFd(int fd) {
  auto found = std::find(wake_fds_.begin(), wake_fds_.end(), fd);
  if (found == wake_fds_.end()) return;
  wake_fds_.erase(found);
  if (epoll_fd_ >= 0) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
}

void Supervisor::ReleaseInterrupts(int interrupt_fd) {
  if (interrupt_fd < 0) return;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, interrupt_fd, nullptr);
  ReleaseInterruptHandlers();
}

absl::Status Supervisor::Loop(absl::Time join_deadline, LoopMode mode) {
  const bool until_any = mode == LoopMode::kUntilAnyDone;
  bool join_expired = false;
  for (;;) {
    if (until_any && !ended_.empty()) return absl::OkStatus();
    bool all_done = true;
    for (const auto& child : children_) all_done &= child->state == Child::State::kDone;
    if (all_done) return absl::OkStatus();

    absl::Time now = absl::Now();
    const int interrupts = InterruptCount();
    if (options_.handle_interrupts && interrupts > interrupts_seen_) {
      const int signal_number = LastInterruptSignal();
      const bool second = interrupted_ || interrupts - interrupts_seen_ > 1;
      interrupts_seen_ = interrupts;
      interrupted_ = true;
      stopping_ = true;
      killed_at_once_ |= second && signal_number == SIGINT;
      const std::string reason = absl::StrCat("interrupted by ", SignalName(signal_number));
      for (auto& child : children_) Cancel(*child, reason, killed_at_once_);
      CancelPending(reason);
    }
    if (until_any && now >= join_deadline) return absl::OkStatus();
    if (!join_expired && now >= join_deadline) {
      join_expired = true;
      stopping_ = true;
      for (auto& child : children_) {
        if (child->state != Child::State::kRunning || child->exited) continue;
        child->timed_out = true;
        child->timeout_detail = "was still running at the join deadline and was terminated";
        timed_out_.push_back(absl::StrCat("call ", child->index, " of '",
                                          calls_[child->index].target, "' (pid ", child->pid, ")"));
        Cancel(*child, "", false);
      }
      CancelPending("the join deadline passed");
    }
    for (auto& child : children_) {
      if (child->state != Child::State::kRunning) continue;
      if (!child->exited && !child->timed_out && !child->cancelled && now >= child->deadline) {
        child->timed_out = true;
        child->timeout_detail = absl::StrCat(
            "timed out after ", absl::FormatDuration(child->timeout), " and was terminated");
        timed_out_.push_back(absl::StrCat("call ", child->index, " of '",
                                          calls_[child->index].target, "' (pid ", child->pid, ")"));
        RunBeforeKill(*child);
        Signal(*child, SIGTERM);
        child->kill_at = now + options_.kill_grace;
      }
      if (!child->exited && now >= child->kill_at) {
        Signal(*child, SIGKILL);
        child->kill_at = absl::InfiniteFuture();
      }
      if (child->exited && child->channel.valid() && now >= child->drain_until) {
        CloseChannel(*child);
      }
      if (child->exited && !child->channel.valid()) {
        Finish(*child);
        LaunchPending();
      }
    }
    if (until_any && !ended_.empty()) return absl::OkStatus();
    all_done = true;
    absl::Time wake = join_expired ? absl::InfiniteFuture() : join_deadline;
    for (const auto& child : children_) {
      if (child->state != Child::State::kRunning) continue;
      all_done = false;
      if (!child->exited && !child->timed_out && !child->cancelled) {
        wake = std::min(wake, child->deadline);
      }
      if (!child->exited) wake = std::min(wake, child->kill_at);
      if (child->exited) wake = std::min(wake, child->drain_until);
    }
    if (all_done) continue;  // the top of the loop returns (or launches nothing more)

    // Announce sleep to every ring; a ring that got records meanwhile means no sleep.
    bool rings_empty = true;
    for (auto& child : children_) {
      if (child->state == Child::State::kRunning && child->ring.valid()) {
        rings_empty &= child->ring.PrepareToSleep();
      }
    }
    struct epoll_event events[64];
    int ready = epoll_wait(epoll_fd_, events, 64, rings_empty ? MillisUntil(wake, absl::Now()) : 0);
    for (auto& child : children_) {
      if (child->state == Child::State::kRunning && child->ring.valid()) child->ring.Awake();
    }
    if (ready < 0) {
      if (errno == EINTR && until_any) return absl::OkStatus();  // the caller checks its flags
      if (errno == EINTR) continue;
      return ErrnoStatus("pcall: epoll_wait", errno);
    }
    now = absl::Now();
    bool woken = false;
    for (int i = 0; i < ready; ++i) {
      const uint64_t key = events[i].data.u64;
      if (key == kInterruptKey) continue;  // handled at the top of the loop
      if (key == kWakeKey) {
        woken = true;
        continue;
      }
      Child& child = *children_[key / 2];
      if (child.state != Child::State::kRunning) continue;
      if (key % 2 == 1) {
        ReadChannel(child);
      } else if (!child.exited) {
        if (child.channel.valid()) ReadChannel(child);
        OnLeaderExited(child, now);
      }
    }
    for (auto& child : children_) {
      if (child->state == Child::State::kRunning) DrainRing(*child);
    }
    if (woken && until_any) return absl::OkStatus();  // the caller serves its descriptor
  }
}

void Supervisor::CloseChannel(Child& child) {
  if (!child.channel.valid()) return;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, child.channel.get(), nullptr);
  child.channel.reset();
}

void Supervisor::ReadChannel(Child& child) {
  absl::StatusOr<bool> more = child.reader.ReadFrom(child.channel.get());
  for (;;) {
    absl::string_view frame;
    absl::StatusOr<bool> got = child.reader.NextView(&frame);
    if (!got.ok()) {
      child.channel_error = got.status();
      CloseChannel(child);
      Signal(child, SIGKILL);
      return;
    }
    if (!*got) break;
    HandleFrame(child, frame);
    if (!child.channel.valid()) return;
  }
  // ReadFrom stops when the descriptor is drained; epoll says when there is more.
  if (!more.ok() || !*more) {
    child.truncated = child.reader.Finish();
    CloseChannel(child);
  }
}

void Supervisor::HandleFrame(Child& child, absl::string_view frame) {
  const char tag = frame.empty() ? '\0' : frame[0];
  absl::string_view body = frame.substr(frame.empty() ? 0 : 1);
  switch (tag) {
    case bus::kEventTag:
      if (options_.bus != nullptr) {
        absl::Status status = options_.bus->PublishSerialized(body);
        if (!status.ok()) {
          child.channel_error = status;
          CloseChannel(child);
          Signal(child, SIGKILL);
        }
      }
      return;
    case bus::kResultTag:
      // The reader's buffer itself when the result is large: its bytes are held once.
      child.result = child.reader.TakeLast(/*skip=*/1);
      return;
    case bus::kWakeTag:
      return;  // the loop drains the ring on every pass
    case bus::kDescendantTag:
      if (body.size() == 4) {
        uint32_t pid = 0;
        for (size_t i = 0; i < 4; ++i) {
          pid |= static_cast<uint32_t>(static_cast<unsigned char>(body[i])) << (8 * i);
        }
        RecordDescendant(child, static_cast<pid_t>(pid));
        return;
      }
      break;
    case bus::kFailureTag: {
      proto::ChildFailure failure;
      if (failure.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
        child.failure = std::move(failure);
        return;
      }
      break;
    }
    default:
      break;
  }
  child.channel_error = absl::DataLossError(
      absl::StrCat("malformed channel: a frame of ", frame.size(), " bytes with unknown tag ",
                   static_cast<int>(static_cast<unsigned char>(tag))));
  CloseChannel(child);
  Signal(child, SIGKILL);
}

void Supervisor::DrainRing(Child& child) {
  if (!child.ring.valid() || !child.channel_error.ok()) return;
  absl::Status publish_error;
  absl::Status status = child.ring.Drain([&](absl::string_view record) {
    if (!publish_error.ok()) return;
    if (record.empty() || record[0] != bus::kEventTag) {
      publish_error = absl::DataLossError("malformed event ring: a record without an event tag");
      return;
    }
    publish_error = options_.bus->PublishSerialized(record.substr(1));
  });
  if (status.ok()) status = publish_error;
  if (!status.ok()) {
    child.channel_error = status;
    CloseChannel(child);
    Signal(child, SIGKILL);
  }
}

void Supervisor::Finish(Child& child) {
  DrainRing(child);  // everything the child appended before it ended
  child.ring = bus::EventRing();
  CloseChannel(child);
  child.reader = bus::FrameReader(kMaxChannelFrame);  // its buffer's memory goes back now
  const int status = WaitPidRetry(child.pid);
  MarkEnded(child);
  KillAndReapGroup(child.pid, 1000);
  child.pidfd.reset();

  CallOutcome& outcome = outcomes_[child.index];
  outcome.pid = child.pid;
  outcome.log_path = child.log_path;
  proto::ChildError& error = outcome.error.error;
  error.set_pid(child.pid);
  error.set_target(calls_[child.index].target);
  error.set_call_index(child.index);
  error.set_log_path(child.log_path);
  const bool signaled = status >= 0 && WIFSIGNALED(status);
  if (!child.channel_error.ok()) {
    error.set_kind(proto::ChildError::CHANNEL);
    error.set_detail(std::string(child.channel_error.message()));
  } else if (child.result.has_value()) {
    outcome.ok = true;
    outcome.encoded_result = std::move(*child.result);
  } else if (child.failure.has_value()) {
    error.set_kind(proto::ChildError::EXCEPTION);
    *error.mutable_exception() = std::move(*child.failure);
  } else if (child.timed_out) {
    error.set_kind(proto::ChildError::TIMED_OUT);
    error.set_detail(child.timeout_detail);
  } else if (child.cancelled) {
    error.set_kind(proto::ChildError::CANCELLED);
    error.set_detail(child.cancel_reason);
  } else if (signaled) {
    error.set_kind(proto::ChildError::SIGNALED);
    error.set_signal(WTERMSIG(status));
    error.set_core_dumped(WCOREDUMP(status));
  } else {
    error.set_kind(proto::ChildError::EXITED);
    error.set_exit_code(status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    if (!child.truncated.ok()) error.set_detail(std::string(child.truncated.message()));
  }
  RecordActivity(child);
  if (signaled && (child.timed_out || child.cancelled)) {
    error.set_signal(WTERMSIG(status));
    error.set_core_dumped(WCOREDUMP(status));
  }
  PublishExit(child.index);
  if (incremental_ && options_.child_logs && !child.log_path.empty()) {
    log::MergeChildLog(child.log_path);
    child.log_merged = true;
  }
  if (!outcome.ok && options_.stop_on_first_failure && !child.cancelled && !stopping_) {
    stopping_ = true;
    const std::string reason = absl::StrCat("stopped after ", outcome.error.Summary());
    for (auto& other : children_) Cancel(*other, reason, false);
    CancelPending(reason);
  }
}

void Supervisor::RecordActivity(Child& child) {
  const std::string last = activities_.Take(calls_[child.index].target, child.index);
  CallOutcome& outcome = outcomes_[child.index];
  if (outcome.ok) return;
  outcome.error.error.set_activity(child.activity_when_ended.empty() ? last
                                                                     : child.activity_when_ended);
}

void Supervisor::PublishExit(int index) {
  if (options_.bus == nullptr) return;
  const CallOutcome& outcome = outcomes_[index];
  proto::Event event;
  event.mutable_exit()->set_logfile(outcome.log_path);
  event.mutable_exit()->set_success(outcome.ok);
  event.set_source(calls_[index].target);
  event.set_call_index(index);
  event.set_pid(outcome.pid);
  options_.bus->Publish(event);
}

}  // namespace mptest::process
