// Supervisor: the untyped engine under Pcall. It starts one child per call (fork or spawn
// context) or runs the calls in the caller (inline context), and supervises every child from
// one epoll loop over pidfds and channels: it drains each channel while waiting, dispatches
// events, enforces timeouts (SIGTERM to the child's process group, grace, SIGKILL), ends
// grandchildren, reaps with EINTR-safe loops, and merges the children's logs after join.
//
// Which context is safe when:
//  - fork (the default, as pyATS): the child is a copy of the caller and runs the target
//    directly, so targets may use anything the caller set up (open ports, parsed
//    configuration) and arguments need not be copied. Safe only while the caller has ONE
//    thread: after fork a child inherits every lock another thread held (glog's, malloc's),
//    and the first LOG or allocation in the child can deadlock (pcall_fork_safety_test shows
//    it). Use it from single-threaded programs (mptest's scheduler forks before starting
//    threads).
//  - spawn: fork + exec of /proc/self/exe, which runs a target registered with
//    MPTEST_REGISTER_TARGET by name; arguments and results go through the codec over the
//    channel. Between fork and exec the child only makes async-signal-safe calls, so it is
//    safe from a multithreaded caller. The binary must call RunSpawnedChildIfRequested()
//    first thing in main() (//core/process:spawn_gtest_main does it for tests). Recommended
//    whenever the caller may have threads.
//  - inline: no processes: each call runs in the caller, one after another, with the same
//    results, errors and events (mptest's --nomultiprocessing; use it under a debugger).
//    The inline context cannot preempt a running call; what it does instead is below (batch
//    and incremental use). Crashes (abort, SIGSEGV, _exit) end the caller: that is what a
//    debugger session wants.
//
// A pcall leaves nothing behind, including processes that left the child's process group
// (setsid, setpgid, a daemon's double fork). This process is a child subreaper and so is each
// child, so a child's descendants stay in its process tree while it lives:
//  - a target that returns (or throws) has every process it started SIGKILLed and reaped by its
//    child before the result is reported: a call cannot start a process that outlives it;
//  - ending a child (timeout, Kill, CancelAll, Terminate, an interrupt) walks its tree first and
//    signals every descendant, and each group a descendant leads (never a group it merely
//    joined), recording them; after the leader exits they are SIGKILLed and reaped;
//  - every process forked in a child's tree by this binary's code (fork, daemon(), double
//    forks, at any depth) reports its pid to the supervisor as it is born, which records it;
//  - a child that dies abruptly by itself (crash, _exit in the target) hands its descendants to
//    this process; the recorded ones are ended and reaped. Nothing is attributed by guesswork,
//    so a process the caller starts itself (a detached board, say) is never taken for a
//    leftover. Not covered: a process that escaped the group, was started by another program
//    the target executed (its forks do not report), and outlives a child that died abruptly
//    (no kill walk saw it). See descendants.h.
//
// Two ways to use it: a batch (the constructor's calls, Start, Join: what Pcall does), or
// incrementally (Add one call at a time, WaitAny for whichever ends first, Kill one, CancelAll:
// what mptest's scheduler does). Both share the same children, loop and error reporting.
//
// Inline calls that overrun their timeout (CallSpec::timeout, else PcallOptions::timeout) are
// never lost silently; the error names the call and says the inline context cannot preempt it:
//  - batch: the calls run one after another inside Start, each to its end. One that returns
//    after its timeout is reported TIMED_OUT and its result (or exception) is discarded; the
//    next calls still run (unless stop_on_first_failure). Join's timeout has nothing to bound.
//  - incremental: each call runs on a worker thread of this process, one at a time, so that
//    WaitAny can still keep its deadline. At the deadline before_kill runs (it should make the
//    call fail, e.g. by powering its boards off); a call that then returns within kill_grace
//    is reported TIMED_OUT with its result discarded. One that does not is abandoned: reported
//    TIMED_OUT at once and logged (WARNING); its thread keeps running, its SendEvent fails from
//    then on (its events are never attributed to the next call or sent to a bus that is gone),
//    and if it returns later a WARNING names it and says its result was discarded. Destroying
//    the supervisor while an inline call runs abandons it the same way.
#ifndef MPTEST_CORE_PROCESS_SUPERVISOR_H_
#define MPTEST_CORE_PROCESS_SUPERVISOR_H_

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/bus/event_bus.h"
#include "core/process/activity_tracker.h"
#include "core/process/child_error.h"

namespace mptest::process {

enum class Context { kFork, kSpawn, kInline };
using TargetCtx = Context;  // testbed_micropython's name for the same choice

// "fork", "spawn", "inline".
std::string ContextName(Context context);
absl::StatusOr<Context> ParseContext(absl::string_view name);

// The context pcall uses when PcallOptions::context is unset. kFork unless changed (mptest's
// --nomultiprocessing sets kInline). Thread-safe.
void SetDefaultContext(Context context);
Context DefaultContext();

struct PcallOptions {
  std::optional<Context> context;  // unset = DefaultContext()
  // Maximum runtime of each child, from its start (pyATS's `timeout`).
  absl::Duration timeout = absl::InfiniteDuration();
  // Between SIGTERM and SIGKILL when a child is terminated.
  absl::Duration kill_grace = absl::Seconds(2);
  // At most this many children at once; the rest wait in call order. 0 = one child per call,
  // all at once (pyATS).
  int max_workers = 0;
  // Default (false): wait for every call, then report the first failure in call order. True:
  // on the first failure, terminate the running children and start no more.
  bool stop_on_first_failure = false;
  // Each child logs (glog) to <log_dir>/<task>:pid-<pid>; after join the parent's log gets
  // each child's log between Begin/End lines, in call order. Empty log_dir = DefaultLogDir().
  bool child_logs = true;
  std::string log_dir;
  std::string task = "pcall";
  // Events children send (SendEvent) are published here, per child in the order sent; the
  // supervisor adds an Exit event (logfile, success) for each finished call. nullptr = the
  // events are read and dropped.
  bus::EventBus* bus = nullptr;
  // While Join waits, SIGINT/SIGTERM terminate the children gracefully (kill_grace) and Join
  // returns CANCELLED after collecting what they sent; a second SIGINT SIGKILLs them at once.
  bool handle_interrupts = true;
};

// One call, type-erased by Pcall.
struct CallSpec {
  std::string target;                // the name errors, logs and events use
  std::function<std::string()> run;  // fork/inline: runs the target here, returns codec bytes
  std::string spawn_target;          // spawn: the registered name ("" = cannot be spawned)
  std::string spawn_unavailable;     // why, when spawn_target is empty and it is not a name
  std::function<std::string()> encode_args;  // spawn: codec bytes of the argument tuple
  // This call's timeout, from its start (unset = PcallOptions::timeout).
  std::optional<absl::Duration> timeout;
  // Runs in the parent once, when the call is ended early (its timeout, Kill, CancelAll,
  // Terminate, an interrupt), before its process group gets SIGTERM.
  std::function<void()> before_kill;
};

struct CallOutcome {
  bool ok = false;
  std::string encoded_result;  // when ok
  ChildProcessError error;     // when !ok
  pid_t pid = 0;               // 0 if never started; the caller's pid for inline calls
  std::string log_path;
  absl::Time start = absl::InfinitePast();  // when the call started (InfinitePast: never)
  absl::Time end = absl::InfinitePast();    // when its outcome was known
};

class Supervisor {
 public:
  Supervisor(std::vector<CallSpec> calls, PcallOptions options);
  // An incremental supervisor: no calls yet, Add them.
  explicit Supervisor(PcallOptions options) : Supervisor({}, std::move(options)) {}
  // Kills (SIGKILL) and reaps any child still running: a Supervisor never leaks a process.
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Starts the children (fork/spawn; up to max_workers), or runs every call (inline).
  // InvalidArgument if a spawn target is not registered; FailedPrecondition if called twice.
  absl::Status Start();
  // Waits until every call has finished or `timeout` passes; on timeout the running children
  // are terminated (SIGTERM, grace, SIGKILL) and DEADLINE_EXCEEDED names those still alive.
  // Returns OK, or the first failure in call order (a Status carrying a ChildProcessError),
  // or CANCELLED after an interrupt. Calling it again returns the same status.
  absl::Status Join(absl::Duration timeout = absl::InfiniteDuration());
  // SIGTERM to every running child's process group (SIGKILL follows after kill_grace once
  // Join runs). The calls are reported as CANCELLED.
  void Terminate();

  // Incremental use. Starts one more call now (or as soon as a max_workers slot is free; inline:
  // when the previous inline call has ended) and returns its index in outcomes(). Starts the
  // supervisor if needed. InvalidArgument if the call cannot run in the spawn context.
  absl::StatusOr<int> Add(CallSpec call);
  // Waits until at least one call has ended or `timeout` passes (or, without
  // handle_interrupts, a signal interrupts the wait), and returns the indices of the calls
  // that ended since the last WaitAny, in the order they ended; their outcomes are final.
  // Meanwhile it drains channels, publishes events, enforces timeouts and escalates kills.
  std::vector<int> WaitAny(absl::Duration timeout);
  // Ends call `index` early: before_kill, then SIGTERM to its process group, SIGKILL after
  // kill_grace (escalated by WaitAny). Reported as CANCELLED with `reason`. A call that has not
  // started yet is cancelled at once; one that already ended is left alone.
  void Kill(int index, const std::string& reason);
  // Kill for every call that has not ended.
  void CancelAll(const std::string& reason);
  // Kill without the grace: before_kill, then SIGKILL to the call's process group and
  // descendants at once (an inline call is abandoned at once: its thread keeps running).
  // Also after Kill, to cut a grace already running (mptest's second SIGINT).
  void KillNow(int index, const std::string& reason);
  // KillNow for every call that has not ended.
  void KillAllNow(const std::string& reason);
  // WaitAny also returns (early, maybe with nothing ended) when `fd` is readable, so that its
  // caller can serve it on its own thread: one event loop, no thread beside the forks. Level-
  // triggered: serve it before the next WaitAny. Fork context only (ignored inline); the fd must
  // stay open until RemoveWakeFd or the supervisor's end.
  void AddWakeFd(int fd);
  void RemoveWakeFd(int fd);
  // Calls added and not yet returned by WaitAny (or Join).
  int unreported() const { return unreported_; }
  // Moves call `index`'s outcome out (its result may be large); outcomes()[index] keeps the
  // rest. Only for calls that have ended (WaitAny returned them, or Join did).
  CallOutcome TakeOutcome(int index);

  std::vector<pid_t> Pids() const;    // every child started so far, in call order
  std::vector<pid_t> Living() const;  // those that have not exited
  bool joined() const { return joined_; }
  size_t size() const { return calls_.size(); }
  const std::vector<CallOutcome>& outcomes() const { return outcomes_; }

 private:
  struct Child;
  struct InlineRun;
  enum class LoopMode { kUntilAllDone, kUntilAnyDone };
  absl::Status ValidateSpawnTarget(const CallSpec& call) const;
  absl::Status Prepare();
  absl::Status RunInline();
  void LaunchInline(Child& child);
  void WaitInline(absl::Time until);
  void FinishInline(Child& child, bool abandoned);
  void AbandonInline(Child& child, absl::string_view why);
  void RunBeforeKill(Child& child);
  void End(int index, const std::string& reason, bool at_once);
  void MarkEnded(Child& child);
  int AcquireInterrupts();
  void ReleaseInterrupts(int interrupt_fd);
  void WatchWakeFd(int fd);  // adds an AddWakeFd descriptor to the epoll
  absl::Status Launch(Child& child);
  absl::Status WatchExit(Child& child);
  void FailStart(Child& child, const absl::Status& status);
  absl::Status Loop(absl::Time deadline, LoopMode mode);
  void LaunchPending();
  void CancelPending(const std::string& reason);
  void ReadChannel(Child& child);
  void DrainRing(Child& child);
  void HandleFrame(Child& child, absl::string_view frame);
  void OnLeaderExited(Child& child, absl::Time now);
  void RecordDescendant(Child& child, pid_t pid);
  void Finish(Child& child);
  void Cancel(Child& child, const std::string& reason, bool at_once);
  void Signal(Child& child, int signal_number);
  void CloseChannel(Child& child);
  // Sets a failed call's ChildError.activity: what it was doing when it was ended, else its
  // innermost open activity when it ended; forgets its activities.
  void RecordActivity(Child& child);
  void PublishExit(int index);
  absl::Status FinalStatus() const;
  // In a new child: closes this supervisor's descriptors (and the parent's end of its channel).
  void CloseSupervisorFdsInChild(int channel_fd, int ring_fd) const;

  std::vector<CallSpec> calls_;
  PcallOptions options_;
  Context context_;
  std::vector<std::unique_ptr<Child>> children_;
  std::vector<CallOutcome> outcomes_;
  std::vector<std::string> spawn_argv_, spawn_env_;
  std::vector<int> signals_to_reset_;  // in each child, before it runs anything
  pid_t pid_ = 0;                      // this process, taken at Prepare
  int devnull_ = -1;                   // fork children's stdin (dup2 in the child, no open)
  int epoll_fd_ = -1;
  bool started_ = false, joined_ = false, stopping_ = false;
  int interrupts_seen_ = 0;
  bool interrupted_ = false, killed_at_once_ = false;
  std::vector<std::string> timed_out_;  // descriptions of the children alive at a deadline
  std::vector<int> ended_;              // calls ended since the last WaitAny, in order
  std::vector<int> wake_fds_;           // AddWakeFd's, in the epoll once it exists
  int unreported_ = 0;
  int inline_current_ = -1;   // the incremental inline call running now
  bool incremental_ = false;  // used through Add: logs are merged as each child ends
  std::unique_ptr<bus::EventBus> dropped_events_;  // inline calls' events without a bus
  // What each call said it was doing (after the buses it follows: it unsubscribes first).
  ActivityTracker activities_;
  absl::Status join_status_;
};

}  // namespace mptest::process

#endif  // MPTEST_CORE_PROCESS_SUPERVISOR_H_
