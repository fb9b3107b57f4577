// The process-wide event sender; see event_sender.h.
#include "core/bus/event_sender.h"

#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
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
  SenderState* retired = nullptr;  // the state this one replaced after fork, kept reachable
};

// In the process that created it, the state is reused. In a forked child it is replaced, never
// reused: its mutex may have been held by a thread that does not exist in the child. The old
// one stays reachable (SenderState::retired) rather than being freed under a possible holder.
std::atomic<SenderState*> g_state{new SenderState};
// A state made in the parent for its next forked children (ReserveEventSenderForChildren): a
// child takes its copy without allocating, since an allocation after fork copies heap pages.
// Never locked in the parent, so its mutex is free in every child.
std::atomic<SenderState*> g_spare{nullptr};

// getpid() is a system call; the pid is cached and refreshed in every forked child.
std::atomic<pid_t> g_pid{getpid()};
// Runs in every forked child of this process before fork() returns there: async-signal-safe.
// It reads the inherited state without its lock (another thread may have held it at fork);
// fd and report_forks do not change once a context is installed, and states are never freed.
void AfterForkInChild() {
  const pid_t pid = getpid();
  g_pid.store(pid, std::memory_order_relaxed);
  const SenderState* state = g_state.load(std::memory_order_relaxed);
  if (!state->installed || !state->context.report_forks) return;
  const int fd = state->context.fd;
  if (fd < 0) return;
  // One write of 9 bytes: atomic on a pipe (<= PIPE_BUF), so it never splits another frame.
  char frame[kFrameHeaderSize + 1 + 4];
  const uint32_t length = 5;
  const uint32_t value = static_cast<uint32_t>(pid);
  for (size_t i = 0; i < 4; ++i) {
    frame[i] = static_cast<char>((length >> (8 * i)) & 0xff);
    frame[kFrameHeaderSize + 1 + i] = static_cast<char>((value >> (8 * i)) & 0xff);
  }
  frame[kFrameHeaderSize] = kDescendantTag;
  ssize_t written;
  do {
    written = write(fd, frame, sizeof(frame));
  } while (written < 0 && errno == EINTR);
}

[[maybe_unused]] const int g_fork_handler = pthread_atfork(nullptr, nullptr, AfterForkInChild);

thread_local std::shared_ptr<ThreadEventSender> t_sender;

}  // namespace

ThreadEventSender::ThreadEventSender(SenderContext context) : context_(std::move(context)) {}

void ThreadEventSender::InstallOnThisThread(std::shared_ptr<ThreadEventSender> sender) {
  t_sender = std::move(sender);
}

void ThreadEventSender::Revoke(std::string reason) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  revoked_ = true;
  revoked_reason_ = std::move(reason);
}

void ReserveEventSenderForChildren() {
  if (g_spare.load() != nullptr) return;
  SenderState* spare = new SenderState;
  SenderState* expected = nullptr;
  if (!g_spare.compare_exchange_strong(expected, spare)) delete spare;
}

void InstallEventSender(SenderContext context) {
  SenderState* state = g_state.load();
  const pid_t self = g_pid.load(std::memory_order_relaxed);
  if (state->owner == self) {
    std::lock_guard<std::mutex> lock(state->mu);
    state->context = std::move(context);
    state->sequence = 0;
    state->installed = true;
    return;
  }
  SenderState* fresh = g_spare.exchange(nullptr);
  if (fresh == nullptr || fresh->owner == self) {  // none reserved, or reserved here for later
    if (fresh != nullptr) g_spare.store(fresh);
    fresh = new SenderState;
  }
  fresh->owner = self;
  fresh->context = std::move(context);
  fresh->installed = true;
  fresh->retired = state;
  g_state.store(fresh);
}

void RemoveEventSender() {
  SenderState* state = g_state.load();
  std::lock_guard<std::mutex> lock(state->mu);
  state->installed = false;
  state->context = SenderContext();
}

bool HasEventSender() {
  if (ThreadEventSender* sender = t_sender.get(); sender != nullptr) {
    std::lock_guard<std::recursive_mutex> lock(sender->mu_);
    return !sender->revoked_;
  }
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
  if (ThreadEventSender* sender = t_sender.get(); sender != nullptr) {
    std::lock_guard<std::recursive_mutex> lock(sender->mu_);  // held while publishing: Revoke
    if (sender->revoked_) {                                   // waits, the bus stays alive
      return absl::FailedPreconditionError(
          absl::StrCat("SendEvent: ", sender->revoked_reason_, "; the event is dropped"));
    }
    event.set_source(sender->context_.source);
    event.set_call_index(sender->context_.call_index);
    event.set_sequence(++sender->sequence_);
    event.set_pid(g_pid.load(std::memory_order_relaxed));
    sender->context_.inline_bus->Publish(event);
    return absl::OkStatus();
  }
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

ScopedActivity::ScopedActivity(std::string what) : what_(std::move(what)) {
  if (!HasEventSender()) return;
  proto::Event event;
  event.mutable_activity()->set_what(what_);
  sent_ = SendEvent(std::move(event)).ok();
}

ScopedActivity::~ScopedActivity() {
  if (!sent_) return;
  proto::Event event;
  event.mutable_activity()->set_what(what_);
  event.mutable_activity()->set_ended(true);
  SendEvent(std::move(event)).IgnoreError();
}

}  // namespace mptest::bus
