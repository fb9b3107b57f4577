// The Supervisor's record of one call (its child process or, incrementally inline, its worker
// thread). Internal to core/process: shared by supervisor*.cc and inline_calls.cc.
#ifndef MPTEST_CORE_PROCESS_SUPERVISOR_CHILD_H_
#define MPTEST_CORE_PROCESS_SUPERVISOR_CHILD_H_

#include <sys/types.h>
#include <time.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "core/bus/event_ring.h"
#include "core/bus/event_sender.h"
#include "core/bus/frame.h"
#include "core/process/child_runner.h"
#include "core/process/descendants.h"
#include "core/process/posix_util.h"
#include "core/process/supervisor.h"
#include "core/proto/channel.pb.h"

namespace mptest::process {

// How long a finished child's channel may stay open (held by a grandchild that left the
// process group) before the parent stops waiting for end of stream.
inline constexpr absl::Duration kDrainAfterExit = absl::Seconds(1);
// The epoll key of the interrupt pipe (children use 2 * index and 2 * index + 1).
inline constexpr uint64_t kInterruptKey = ~uint64_t{0};
inline constexpr uint64_t kWakeKey = ~uint64_t{0} - 1;  // an AddWakeFd descriptor

// What an incremental inline call's worker thread hands back. std::mutex rather than
// absl::Mutex: ThreadSanitizer sees through pthread, not through Debian's uninstrumented Abseil.
struct Supervisor::InlineRun {
  std::mutex mutex;
  std::condition_variable changed;
  bool done = false;  // guarded by mutex, as the rest
  std::optional<std::string> result;
  std::optional<proto::ChildFailure> failure;
  // Set when the supervisor gave up on the call: if it returns later, the thread says so.
  bool abandoned = false;
  std::string description;  // "inline call <i> of '<target>'"
  // The worker thread's event sender; revoked when the call ends or is abandoned.
  std::shared_ptr<bus::ThreadEventSender> sender;
};

// absl::Now() without its calibration state: absl::Now() may update that state, and every
// page the parent writes between two forks is copied once more.
inline absl::Time WallClockNow() {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return absl::TimeFromTimespec(now);
}

struct Supervisor::Child {
  int index = 0;
  enum class State { kPending, kRunning, kDone } state = State::kPending;
  pid_t pid = 0;
  UniqueFd pidfd, channel;
  bus::FrameReader reader{kMaxChannelFrame};
  bus::EventRing ring;  // events, when there is a bus
  std::string log_path;
  absl::Time started;
  absl::Duration timeout = absl::InfiniteDuration();
  absl::Time deadline = absl::InfiniteFuture();
  absl::Time kill_at = absl::InfiniteFuture();
  absl::Time drain_until = absl::InfiniteFuture();
  bool exited = false;
  // Descendants found (and signalled) when the supervisor signalled the child: ended and
  // reaped once the leader has exited, wherever they went. See descendants.h.
  std::vector<ProcessRef> descendants;
  bool timed_out = false;
  std::string timeout_detail;
  bool cancelled = false;
  std::string cancel_reason;
  std::string activity_when_ended;  // its open activity at its deadline or cancellation
  std::optional<std::string> result;
  std::optional<proto::ChildFailure> failure;
  absl::Status channel_error;  // malformed frames: the child's fault
  absl::Status truncated;      // stream ended inside a frame (the child died mid-write)
  bool before_kill_ran = false;
  bool abandon_at_once = false;  // KillNow of an inline call: no grace before abandoning it
  bool log_merged = false;
  std::shared_ptr<InlineRun> inline_run;  // incremental inline calls only
};

}  // namespace mptest::process

#endif  // MPTEST_CORE_PROCESS_SUPERVISOR_CHILD_H_
