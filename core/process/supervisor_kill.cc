// Ending pcall children early: Kill/CancelAll/Terminate, the before_kill hook, signalling a
// child's process group and the descendants that left it, and cleaning up after a leader has
// exited. See supervisor.h (and descendants.h for how descendants are attributed).
#include <signal.h>
#include <sys/epoll.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/process/descendants.h"
#include "core/process/supervisor.h"
#include "core/process/supervisor_child.h"

namespace mptest::process {

void Supervisor::RunBeforeKill(Child& child) {
  if (child.before_kill_ran) return;
  child.before_kill_ran = true;
  // What it was doing when it was ended: an activity it leaves while it is being ended (its
  // harness fails once the boards are off) does not clear the cause.
  child.activity_when_ended = activities_.Peek(calls_[child.index].target, child.index);
  if (calls_[child.index].before_kill) calls_[child.index].before_kill();
}

void Supervisor::Kill(int index, const std::string& reason) { End(index, reason, false); }

void Supervisor::KillNow(int index, const std::string& reason) { End(index, reason, true); }

void Supervisor::End(int index, const std::string& reason, bool at_once) {
  Child& child = *children_.at(static_cast<size_t>(index));
  if (child.state == Child::State::kPending) {
    proto::ChildError& error = outcomes_[index].error.error;
    error.set_kind(proto::ChildError::CANCELLED);
    error.set_target(calls_[index].target);
    error.set_call_index(index);
    error.set_detail(absl::StrCat("not started: ", reason));
    MarkEnded(child);
    return;
  }
  if (child.state != Child::State::kRunning) return;
  if (child.inline_run != nullptr) {
    if (!child.cancelled && !child.timed_out) {
      child.cancelled = true;
      child.cancel_reason = reason;
    }
    RunBeforeKill(child);
    // At once: WaitInline abandons the call on its next pass instead of after the grace.
    child.abandon_at_once |= at_once;
    child.kill_at =
        std::min(child.kill_at, at_once ? absl::Now() : absl::Now() + options_.kill_grace);
    return;
  }
  Cancel(child, reason, at_once);
}

void Supervisor::CancelAll(const std::string& reason) {
  for (size_t i = 0; i < children_.size(); ++i) Kill(static_cast<int>(i), reason);
}

void Supervisor::KillAllNow(const std::string& reason) {
  for (size_t i = 0; i < children_.size(); ++i) KillNow(static_cast<int>(i), reason);
}

void Supervisor::Cancel(Child& child, const std::string& reason, bool at_once) {
  if (child.state != Child::State::kRunning) return;
  if (child.exited) {
    // Only its channel is awaited (a descendant that left the group may hold it): not now.
    if (at_once) child.drain_until = std::min(child.drain_until, absl::Now());
    return;
  }
  if (!child.cancelled && !child.timed_out) {
    child.cancelled = true;
    child.cancel_reason = reason;
  }
  RunBeforeKill(child);
  Signal(child, at_once ? SIGKILL : SIGTERM);
  const absl::Time kill_at = at_once ? absl::InfiniteFuture() : absl::Now() + options_.kill_grace;
  child.kill_at = std::min(child.kill_at, kill_at);
}

void Supervisor::Terminate() {
  for (auto& child : children_) Cancel(*child, "terminated by Pcall::terminate()", false);
}

void Supervisor::Signal(Child& child, int signal_number) {
  // Only while the leader is unreaped: until then its pid (the group id) cannot be reused.
  if (child.state != Child::State::kRunning) return;
  // While the leader lives its tree holds every descendant (it is their subreaper), including
  // those that left its process group.
  if (!child.exited) SignalDescendants(child.pid, signal_number, &child.descendants);
  kill(-child.pid, signal_number);
}

void Supervisor::RecordDescendant(Child& child, pid_t pid) {
  std::optional<ProcessRef> ref = RefOf(pid);
  if (!ref.has_value()) return;  // already gone
  if (child.exited) {            // born as its child died: it is a leftover already
    EndLeftovers({*ref}, 1000);
    return;
  }
  std::vector<ProcessRef>& recorded = child.descendants;
  if (recorded.size() >= 64 && (recorded.size() & (recorded.size() - 1)) == 0) {
    // A target that forks a lot (commands it runs, say): forget the ones that have ended.
    recorded.erase(std::remove_if(recorded.begin(), recorded.end(),
                                  [](const ProcessRef& old) {
                                    std::optional<ProcessRef> now = RefOf(old.pid);
                                    return !now.has_value() || now->start_ticks != old.start_ticks;
                                  }),
                   recorded.end());
  }
  recorded.push_back(*ref);
}

void Supervisor::OnLeaderExited(Child& child, absl::Time now) {
  child.exited = true;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, child.pidfd.get(), nullptr);
  // The target is done; whatever it left running in its group goes now, which also releases
  // the channel so the rest of it can be drained.
  Signal(child, SIGKILL);
  // A child that reported ended its descendants itself. One that did not (it crashed, called
  // _exit, or was killed) handed its remaining descendants to us, its subreaper: the ones we
  // recorded (they reported their birth, or a kill found them) end now. See descendants.h.
  EndLeftovers(std::move(child.descendants), 1000);
  child.descendants.clear();
  child.drain_until = now + kDrainAfterExit;
}

}  // namespace mptest::process
