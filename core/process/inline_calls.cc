// The inline context (mptest's --nomultiprocessing): every call runs in the caller, one after
// another, with the same results, errors and events as in a child; plus the context names and
// the process-wide default context. See supervisor.h.
#include <unistd.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/bus/event_sender.h"
#include "core/process/exception_info.h"
#include "core/process/supervisor.h"
#include "core/process/supervisor_child.h"
#include "glog/logging.h"

namespace mptest::process {
namespace {

std::atomic<Context> g_default_context{Context::kFork};

constexpr char kCannotPreempt[] =
    " (the inline context cannot preempt a running call, so inline calls cannot be "
    "interrupted: use the fork or spawn context to have overrunning calls ended)";

}  // namespace

std::string ContextName(Context context) {
  switch (context) {
    case Context::kFork:
      return "fork";
    case Context::kSpawn:
      return "spawn";
    case Context::kInline:
      return "inline";
  }
  return "unknown";
}

absl::StatusOr<Context> ParseContext(absl::string_view name) {
  if (name == "fork") return Context::kFork;
  if (name == "spawn") return Context::kSpawn;
  if (name == "inline") return Context::kInline;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown pcall context '", name, "': expected fork, spawn or inline"));
}

void SetDefaultContext(Context context) { g_default_context.store(context); }
Context DefaultContext() { return g_default_context.load(); }

absl::Status Supervisor::RunInline() {
  bus::EventBus dropped;
  bus::EventBus* bus = options_.bus != nullptr ? options_.bus : &dropped;
  activities_.Follow(bus);
  EnableThrowSiteCapture();
  for (int index = 0; index < static_cast<int>(calls_.size()); ++index) {
    CallOutcome& outcome = outcomes_[index];
    proto::ChildError& error = outcome.error.error;
    error.set_target(calls_[index].target);
    error.set_call_index(index);
    error.set_pid(getpid());
    outcome.pid = getpid();
    if (stopping_) {
      error.set_kind(proto::ChildError::CANCELLED);
      error.set_detail("not started: stopped after an earlier call failed");
      continue;
    }
    bus::InstallEventSender({-1, nullptr, bus, calls_[index].target, index});
    const absl::Time start = absl::Now();
    try {
      outcome.encoded_result = calls_[index].run();
      outcome.ok = true;
    } catch (...) {
      error.set_kind(proto::ChildError::EXCEPTION);
      *error.mutable_exception() = DescribeCurrentException();
    }
    bus::RemoveEventSender();
    const absl::Duration ran = absl::Now() - start;
    const absl::Duration timeout = calls_[index].timeout.value_or(options_.timeout);
    if (ran > timeout) {
      const bool had_result = outcome.ok;
      outcome.ok = false;
      outcome.encoded_result.clear();
      error.set_kind(proto::ChildError::TIMED_OUT);
      error.set_detail(absl::StrCat("ran for ", absl::FormatDuration(ran), ", over its timeout of ",
                                    absl::FormatDuration(timeout), kCannotPreempt,
                                    "; it ran to its end and its ",
                                    had_result ? "result" : "exception", " was discarded"));
      timed_out_.push_back(
          absl::StrCat("call ", index, " of '", calls_[index].target, "' (inline)"));
    }
    const std::string activity = activities_.Take(calls_[index].target, index);
    if (!outcome.ok) error.set_activity(activity);
    PublishExit(index);
    if (!outcome.ok && options_.stop_on_first_failure) stopping_ = true;
  }
  if (bus == &dropped) activities_.Unfollow(bus);
  return absl::OkStatus();
}

}  // namespace mptest::process

namespace mptest::process {

// Incremental inline calls: one at a time, each on a worker thread of this process, so that
// WaitAny can enforce its deadline (see supervisor.h).
void Supervisor::LaunchInline(Child& child) {
  CallSpec& call = calls_[child.index];
  auto run = std::make_shared<InlineRun>();
  child.inline_run = run;
  child.pid = getpid();
  child.state = Child::State::kRunning;
  child.started = absl::Now();
  child.timeout = call.timeout.value_or(options_.timeout);
  child.deadline = child.started + child.timeout;
  outcomes_[child.index].start = child.started;
  inline_current_ = child.index;
  bus::EventBus* bus = options_.bus;
  if (bus == nullptr) {
    if (dropped_events_ == nullptr) dropped_events_ = std::make_unique<bus::EventBus>();
    bus = dropped_events_.get();
    activities_.Follow(bus);
  }
  EnableThrowSiteCapture();
  // Threads the call starts itself send through the process-wide sender; the call's own
  // thread through its thread sender, which is revoked when the call ends or is abandoned.
  bus::InstallEventSender({-1, nullptr, bus, call.target, child.index});
  run->description = absl::StrCat("inline call ", child.index, " of '", call.target, "'");
  run->sender = std::make_shared<bus::ThreadEventSender>(
      bus::SenderContext{-1, nullptr, bus, call.target, child.index});
  // The thread owns what it uses: an abandoned call must not touch this supervisor.
  std::thread([run, work = call.run] {
    bus::ThreadEventSender::InstallOnThisThread(run->sender);
    std::optional<std::string> result;
    std::optional<proto::ChildFailure> failure;
    try {
      result = work();
    } catch (...) {
      failure = DescribeCurrentException();
    }
    bus::ThreadEventSender::InstallOnThisThread(nullptr);
    std::lock_guard<std::mutex> lock(run->mutex);
    if (run->abandoned) {  // nobody waits for it any more: say so rather than drop it silently
      LOG(WARNING) << run->description << " returned after it was abandoned at its deadline"
                   << kCannotPreempt << "; its " << (result.has_value() ? "result" : "exception")
                   << " is discarded";
    }
    run->done = true;
    run->result = std::move(result);
    run->failure = std::move(failure);
    run->changed.notify_all();
  }).detach();
}

void Supervisor::WaitInline(absl::Time until) {
  for (;;) {
    LaunchPending();
    if (!ended_.empty() || inline_current_ < 0) return;
    Child& child = *children_[inline_current_];
    absl::Time wake = std::min(until, child.kill_at);
    if (!child.timed_out && !child.cancelled) wake = std::min(wake, child.deadline);
    bool done = false;
    {
      InlineRun& run = *child.inline_run;
      std::unique_lock<std::mutex> lock(run.mutex);
      if (wake == absl::InfiniteFuture()) {
        run.changed.wait(lock, [&run] { return run.done; });
      } else {
        run.changed.wait_until(lock, absl::ToChronoTime(wake), [&run] { return run.done; });
      }
      done = run.done;
    }
    const absl::Time now = absl::Now();
    if (done) {
      FinishInline(child, /*abandoned=*/false);
    } else if (!child.timed_out && !child.cancelled && now >= child.deadline) {
      child.timed_out = true;
      timed_out_.push_back(
          absl::StrCat("call ", child.index, " of '", calls_[child.index].target, "' (inline)"));
      RunBeforeKill(child);
      child.kill_at = now + options_.kill_grace;
    } else if (now >= child.kill_at) {
      FinishInline(child, /*abandoned=*/true);
    } else if (now >= until) {
      return;
    }
  }
}

void Supervisor::AbandonInline(Child& child, absl::string_view why) {
  InlineRun& run = *child.inline_run;
  {
    std::lock_guard<std::mutex> lock(run.mutex);
    run.abandoned = !run.done;
  }
  run.sender->Revoke(absl::StrCat(run.description, " was abandoned (", why,
                                  "); the inline context cannot preempt a running call"));
  LOG(WARNING) << run.description << " was abandoned (" << why << "); its thread keeps running"
               << kCannotPreempt;
}

void Supervisor::FinishInline(Child& child, bool abandoned) {
  bus::RemoveEventSender();
  // Why the call was given up: no return within the grace, or KillNow (no grace).
  const std::string gave_up =
      child.abandon_at_once
          ? std::string("it was ended at once")
          : absl::StrCat("it did not return ", absl::FormatDuration(options_.kill_grace),
                         " after before_kill");
  if (abandoned) AbandonInline(child, gave_up);
  inline_current_ = -1;
  CallOutcome& outcome = outcomes_[child.index];
  outcome.pid = child.pid;
  proto::ChildError& error = outcome.error.error;
  error.set_pid(child.pid);
  error.set_target(calls_[child.index].target);
  error.set_call_index(child.index);
  const std::string ran =
      absl::StrCat("ran past its timeout of ", absl::FormatDuration(child.timeout));
  const std::string abandon_note =
      abandoned ? absl::StrCat("; ", gave_up,
                               ", so its thread was abandoned (still running; its events are "
                               "refused and its eventual result is discarded)")
                : "; it returned later and its result was discarded";
  if (child.timed_out) {
    error.set_kind(proto::ChildError::TIMED_OUT);
    error.set_detail(absl::StrCat(ran, kCannotPreempt, abandon_note));
  } else if (child.cancelled) {
    error.set_kind(proto::ChildError::CANCELLED);
    error.set_detail(absl::StrCat(child.cancel_reason, abandon_note));
  } else {
    std::lock_guard<std::mutex> lock(child.inline_run->mutex);
    if (child.inline_run->result.has_value()) {
      outcome.ok = true;
      outcome.encoded_result = std::move(*child.inline_run->result);
    } else {
      error.set_kind(proto::ChildError::EXCEPTION);
      *error.mutable_exception() = std::move(*child.inline_run->failure);
    }
  }
  child.inline_run.reset();  // an abandoned thread keeps its own reference
  RecordActivity(child);
  PublishExit(child.index);
  MarkEnded(child);
}

}  // namespace mptest::process
