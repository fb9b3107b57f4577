// SendEvent: how a child (or an inline call) sends a typed event to the parent's EventBus.
// In a pcall child each event leaves the process before SendEvent returns: it is appended to
// the child's shared-memory EventRing (no system call), or written to the channel when there
// is no ring, so an event sent just before the child crashes still arrives. core/process installs
// the sender in each child; user code only calls SendEvent.
#ifndef MPTEST_CORE_BUS_EVENT_SENDER_H_
#define MPTEST_CORE_BUS_EVENT_SENDER_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "core/bus/event_bus.h"
#include "core/bus/event_ring.h"
#include "core/proto/events.pb.h"

namespace mptest::bus {

// Fills in source, call_index, sequence and pid, then sends. FailedPrecondition when called
// outside a pcall child or inline call; Unavailable if the parent has gone away.
// Thread-safe.
absl::Status SendEvent(proto::Event event);

// True inside a pcall child or inline call.
bool HasEventSender();

// The child's channel descriptor (-1 outside a pcall child). For tools that must write raw
// frames; events should go through SendEvent.
int CurrentChannelFd();

// Where SendEvent goes. Installed by core/process.
struct SenderContext {
  int fd = -1;                     // the child's channel to the parent, or
  EventRing* ring = nullptr;       // with fd: the child's shared ring (events go here), and
  EventBus* inline_bus = nullptr;  // the caller's bus for inline calls
  std::string source;
  int call_index = 0;
  // In a pcall child (with fd): every process forked in this process's tree by this binary's
  // code (fork(), daemon(), a double fork, at any depth; not posix_spawn or clone, and not
  // forks inside programs it executes) reports its own pid on fd with one kDescendantTag frame,
  // written by a fork handler before fork() returns in it. The parent thus knows every such
  // descendant even when it leaves the child's process group and the child dies abruptly.
  bool report_forks = false;
};
// Called in a parent before it forks children that will InstallEventSender (the Supervisor
// does): prepares their state in advance so that installing allocates nothing in the child.
void ReserveEventSenderForChildren();

// Installs `context` for this process (replacing any previous one, including a lock inherited
// through fork) and restarts sequence numbers at 1.
void InstallEventSender(SenderContext context);
void RemoveEventSender();

// Says what this process is doing while the object lives (a plugin call, say): sends an
// Activity event now and its end when destroyed, each only where a sender is installed. When the
// process dies or is killed inside it, the supervisor names the activity in the child's error.
class ScopedActivity {
 public:
  explicit ScopedActivity(std::string what);
  ~ScopedActivity();
  ScopedActivity(const ScopedActivity&) = delete;
  ScopedActivity& operator=(const ScopedActivity&) = delete;

 private:
  std::string what_;
  bool sent_ = false;
};

// A sender for one thread (an incremental inline call's worker): on that thread SendEvent goes
// here rather than to the process-wide sender, until it is revoked. Revoking (from any thread)
// waits for a SendEvent in progress on it, after which its SendEvent fails with
// FailedPrecondition and `revoked_reason`: an inline call abandoned at its deadline can neither
// publish to a bus that may be gone nor have its events attributed to the next call.
class ThreadEventSender {
 public:
  explicit ThreadEventSender(SenderContext context);
  // Makes `sender` the calling thread's sender (nullptr: none).
  static void InstallOnThisThread(std::shared_ptr<ThreadEventSender> sender);
  void Revoke(std::string reason);

 private:
  friend absl::Status SendEvent(proto::Event event);
  friend bool HasEventSender();
  std::recursive_mutex mu_;  // recursive: a subscriber may send events itself
  SenderContext context_;
  uint64_t sequence_ = 0;
  bool revoked_ = false;
  std::string revoked_reason_;
};

}  // namespace mptest::bus

#endif  // MPTEST_CORE_BUS_EVENT_SENDER_H_
