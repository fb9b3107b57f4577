// The inline context (mptest's --nomultiprocessing): every call runs in the caller, one after
// another, with the same results, errors and events as in a child; plus the context names and
// the process-wide default context. See supervisor.h.
#include <unistd.h>

#include <atomic>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/bus/event_sender.h"
#include "core/process/exception_info.h"
#include "core/process/supervisor.h"

namespace mptest::process {
namespace {

std::atomic<Context> g_default_context{Context::kFork};

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
    if (ran > options_.timeout) {
      outcome.ok = false;
      outcome.encoded_result.clear();
      error.set_kind(proto::ChildError::TIMED_OUT);
      error.set_detail(absl::StrCat("ran for ", absl::FormatDuration(ran), ", over its timeout of ",
                                    absl::FormatDuration(options_.timeout),
                                    " (inline calls cannot be interrupted; result discarded)"));
      timed_out_.push_back(
          absl::StrCat("call ", index, " of '", calls_[index].target, "' (inline)"));
    }
    PublishExit(index);
    if (!outcome.ok && options_.stop_on_first_failure) stopping_ = true;
  }
  return absl::OkStatus();
}

}  // namespace mptest::process
