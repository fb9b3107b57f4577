// The process-wide event sender; see event_sender.h.
#include "core/bus/event_sender.h"

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <vector>

#include "core/bus/frame.h"

namespace mptest::bus {
namespace {

struct SenderState {
  std::mutex mu;
  pid_t owner = getpid();  // the process that created this state
  SenderContext context;
  uint64_t sequence = 0;
  bool installed = false;
  std::string scratch;
};

// In the process that created it, the state is reused. In a forked child it is replaced, never
// reused: its mutex may have been held by a thread that does not exist in the child. The old
// one stays reachable (g_retired) rather than being freed under a possible holder.
std::atomic<SenderState*> g_state{new SenderState};
std::vector<SenderState*>* g_retired = new std::vector<SenderState*>;

// getpid() is a system call; the pid is cached and refreshed in every forked child.
std::atomic<pid_t> g_pid{getpid()};
[[maybe_unused]] const int g_pid_refresher =
    pthread_atfork(nullptr, nullptr, [] { g_pid.store(getpid(), std::memory_order_relaxed); });

}  // namespace

void InstallEventSender(SenderContext context) {
  SenderState* state = g_state.load();
  if (state->owner == getpid()) {
    std::lock_guard<std::mutex> lock(state->mu);
    state->context = std::move(context);
    state->sequence = 0;
    state->installed = true;
    return;
  }
  SenderState* fresh = new SenderState;
  fresh->context = std::move(context);
  fresh->installed = true;
  g_retired->push_back(state);
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
  event.set_pid(g_pid.load(std::memory_order_relaxed));
  if (state->context.inline_bus != nullptr) {
    EventBus* bus = state->context.inline_bus;
    lock.unlock();  // handlers may send events themselves
    bus->Publish(event);
    return absl::OkStatus();
  }
  state->scratch.clear();
  state->scratch.push_back(kEventTag);
  event.AppendToString(&state->scratch);
  const int fd = state->context.fd;
  EventRing* ring = state->context.ring;
  if (ring != nullptr && state->owner == g_pid.load(std::memory_order_relaxed)) {
    auto wake = [fd] { WriteTaggedFrame(fd, kWakeTag, "").IgnoreError(); };
    if (ring->Push(state->scratch, wake)) {
      if (ring->ConsumerSleeping()) wake();
      return absl::OkStatus();
    }
    // Too large for the ring: let the parent drain it first, so the order is kept.
    while (!ring->Empty()) {
      if (ring->ConsumerSleeping()) wake();
      usleep(50);
    }
  }
  return WriteFrame(fd, state->scratch);
}

}  // namespace mptest::bus
