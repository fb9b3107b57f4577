// The process-wide event sender; see event_sender.h.
#include "core/bus/event_sender.h"

#include <unistd.h>

#include <atomic>
#include <mutex>

#include "core/bus/frame.h"

namespace mptest::bus {
namespace {

struct SenderState {
  std::mutex mu;
  SenderContext context;
  uint64_t sequence = 0;
  bool installed = false;
  std::string scratch;
};

// Replaced, never destroyed: after fork the old one may be locked by a thread that no longer
// exists, so it is abandoned rather than reused.
std::atomic<SenderState*> g_state{new SenderState};

}  // namespace

void InstallEventSender(SenderContext context) {
  SenderState* fresh = new SenderState;
  fresh->context = std::move(context);
  fresh->installed = true;
  g_state.store(fresh);
}

void RemoveEventSender() {
  SenderState* state = g_state.load();
  std::lock_guard<std::mutex> lock(state->mu);
  state->installed = false;
  state->context = SenderContext();
}

bool HasEventSender() {
  SenderState* state = g_state.load();
  std::lock_guard<std::mutex> lock(state->mu);
  return state->installed;
}

int CurrentChannelFd() {
  SenderState* state = g_state.load();
  std::lock_guard<std::mutex> lock(state->mu);
  return state->installed ? state->context.fd : -1;
}

absl::Status SendEvent(proto::Event event) {
  SenderState* state = g_state.load();
  std::unique_lock<std::mutex> lock(state->mu);
  if (!state->installed) {
    return absl::FailedPreconditionError(
        "SendEvent: not inside a pcall child or inline call, so there is no parent to send to");
  }
  event.set_source(state->context.source);
  event.set_call_index(state->context.call_index);
  event.set_sequence(++state->sequence);
  event.set_pid(getpid());
  if (state->context.inline_bus != nullptr) {
    EventBus* bus = state->context.inline_bus;
    lock.unlock();  // handlers may send events themselves
    bus->Publish(event);
    return absl::OkStatus();
  }
  state->scratch.clear();
  state->scratch.push_back(kEventTag);
  event.AppendToString(&state->scratch);
  return WriteFrame(state->context.fd, state->scratch);
}

}  // namespace mptest::bus
