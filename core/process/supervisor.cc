// The pcall engine: starting children, the epoll supervision loop, inline calls. See
// supervisor.h for the contract and the choice of context.
#include "core/process/supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "core/bus/event_ring.h"
#include "core/bus/event_sender.h"
#include "core/bus/frame.h"
#include "core/log/child_log.h"
#include "core/process/child_runner.h"
#include "core/process/descendants.h"
#include "core/process/exception_info.h"
#include "core/process/interrupts.h"
#include "core/process/posix_util.h"
#include "core/process/subprocess.h"
#include "core/process/supervisor_child.h"
#include "glog/logging.h"

extern char** environ;

namespace mptest::process {
namespace {

// How long a finished child's channel may stay open (held by a grandchild that left the
// process group) before the parent stops waiting for end of stream.
constexpr absl::Duration kDrainAfterExit = absl::Seconds(1);
constexpr uint64_t kInterruptKey = ~uint64_t{0};

void BecomeSubreaperOnce() {
  static std::once_flag once;
  std::call_once(once, [] { prctl(PR_SET_CHILD_SUBREAPER, 1); });
}

std::vector<std::string> ReadCmdline() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::vector<std::string> argv;
  std::string arg;
  while (std::getline(in, arg, '\0')) argv.push_back(arg);
  if (argv.empty()) argv.push_back("/proc/self/exe");
  return argv;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

absl::Status SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("sending the spawn request", errno);
    }
    sent += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

int MillisUntil(absl::Time wake, absl::Time now) {
  if (wake == absl::InfiniteFuture()) return -1;
  if (wake <= now) return 0;
  return static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(wake - now) + 1, 60000));
}

}  // namespace

Supervisor::Supervisor(std::vector<CallSpec> calls, PcallOptions options)
    : calls_(std::move(calls)),
      options_(std::move(options)),
      context_(options_.context.value_or(DefaultContext())) {
  if (options_.log_dir.empty()) options_.log_dir = log::DefaultLogDir();
  for (size_t i = 0; i < calls_.size(); ++i) {
    children_.push_back(std::make_unique<Child>());
    children_.back()->index = static_cast<int>(i);
  }
  outcomes_.resize(calls_.size());
}

Supervisor::~Supervisor() {
  for (auto& child : children_) {
    if (child->state != Child::State::kRunning) continue;
    if (child->inline_run != nullptr) {  // its thread cannot be ended: make it fail, leave it
      RunBeforeKill(*child);
      bus::RemoveEventSender();
      continue;
    }
    Signal(*child, SIGKILL);
    WaitPidRetry(child->pid);
    ForgetManagedChild(child->pid);
    KillAndReapGroup(child->pid, 1000);
    EndLeftovers(std::move(child->descendants), false, 0, 0, 1000);
  }
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

absl::Status Supervisor::ValidateSpawnTarget(const CallSpec& call) const {
  if (context_ != Context::kSpawn || !call.spawn_target.empty()) return absl::OkStatus();
  if (!call.spawn_unavailable.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "target '", call.target, "' cannot run in the spawn context: ", call.spawn_unavailable));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("target '", call.target,
                   "' cannot run in the spawn context: it is not registered. "
                   "Add MPTEST_REGISTER_TARGET(",
                   call.target,
                   ") at namespace scope, and call "
                   "RunSpawnedChildIfRequested() first in main()"));
}

absl::Status Supervisor::Start() {
  if (started_) return absl::FailedPreconditionError("Pcall::start() called twice");
  for (const CallSpec& call : calls_) {
    absl::Status valid = ValidateSpawnTarget(call);
    if (!valid.ok()) return valid;
  }
  if (context_ == Context::kInline) {
    started_ = true;
    return RunInline();
  }
  absl::Status prepared = Prepare();
  if (!prepared.ok()) return prepared;
  LaunchPending();
  return absl::OkStatus();
}

absl::Status Supervisor::Prepare() {
  started_ = true;
  if (context_ == Context::kInline) return absl::OkStatus();
  BecomeSubreaperOnce();
  signals_to_reset_ = NonDefaultSignals();
  signals_to_reset_.push_back(SIGINT);  // Join installs its interrupt handlers later
  signals_to_reset_.push_back(SIGTERM);
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return ErrnoStatus("pcall: epoll_create1", errno);
  if (context_ == Context::kSpawn) {
    spawn_argv_ = ReadCmdline();
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
      if (strncmp(*entry, kSpawnChannelEnv, strlen(kSpawnChannelEnv)) != 0 &&
          strncmp(*entry, kSpawnRingEnv, strlen(kSpawnRingEnv)) != 0) {
        spawn_env_.push_back(*entry);
      }
    }
    spawn_env_.push_back(absl::StrCat(kSpawnChannelEnv, "=", kSpawnChannelFd));
    if (options_.bus != nullptr)
      spawn_env_.push_back(absl::StrCat(kSpawnRingEnv, "=", kSpawnRingFd));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> Supervisor::Add(CallSpec call) {
  if (!incremental_ && (started_ || !calls_.empty())) {
    return absl::FailedPreconditionError(
        "Supervisor::Add needs a supervisor constructed without calls (Supervisor(options))");
  }
  if (joined_) return absl::FailedPreconditionError("Supervisor::Add called after Join");
  absl::Status valid = ValidateSpawnTarget(call);
  if (!valid.ok()) return valid;
  if (!started_) {
    incremental_ = true;
    absl::Status prepared = Prepare();
    if (!prepared.ok()) return prepared;
  }
  const int index = static_cast<int>(calls_.size());
  calls_.push_back(std::move(call));
  children_.push_back(std::make_unique<Child>());
  children_.back()->index = index;
  outcomes_.emplace_back();
  ++unreported_;
  if (stopping_) {
    CancelPending("the supervisor is stopping (interrupted)");
  } else {
    LaunchPending();
  }
  return index;
}

void Supervisor::MarkEnded(Child& child) {
  child.state = Child::State::kDone;
  outcomes_[child.index].end = absl::Now();
  ended_.push_back(child.index);
}

void Supervisor::RunBeforeKill(Child& child) {
  if (child.before_kill_ran) return;
  child.before_kill_ran = true;
  if (calls_[child.index].before_kill) calls_[child.index].before_kill();
}

void Supervisor::Kill(int index, const std::string& reason) {
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
    child.kill_at = std::min(child.kill_at, absl::Now() + options_.kill_grace);
    return;
  }
  Cancel(child, reason, false);
}

void Supervisor::CancelAll(const std::string& reason) {
  for (size_t i = 0; i < children_.size(); ++i) Kill(static_cast<int>(i), reason);
}

CallOutcome Supervisor::TakeOutcome(int index) {
  CallOutcome& stored = outcomes_.at(static_cast<size_t>(index));
  std::string result = std::move(stored.encoded_result);
  stored.encoded_result = std::string();
  CallOutcome taken = stored;
  taken.encoded_result = std::move(result);
  return taken;
}

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

void Supervisor::ReleaseInterrupts(int interrupt_fd) {
  if (interrupt_fd < 0) return;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, interrupt_fd, nullptr);
  ReleaseInterruptHandlers();
}

std::vector<int> Supervisor::WaitAny(absl::Duration timeout) {
  if (started_ && !joined_) {
    const absl::Time until = absl::Now() + timeout;
    if (context_ == Context::kInline) {
      WaitInline(until);
    } else {
      const int interrupt_fd = AcquireInterrupts();
      absl::Status loop = Loop(until, LoopMode::kUntilAnyDone);
      ReleaseInterrupts(interrupt_fd);
      if (!loop.ok()) LOG(ERROR) << "Supervisor::WaitAny: " << loop;
    }
  }
  std::vector<int> ended;
  ended.swap(ended_);
  unreported_ -= static_cast<int>(ended.size());
  return ended;
}

std::vector<int> Supervisor::SupervisorFds() const {
  std::vector<int> fds = {epoll_fd_, InterruptFd()};
  for (const auto& child : children_) {
    if (child->channel.valid()) fds.push_back(child->channel.get());
    if (child->pidfd.valid()) fds.push_back(child->pidfd.get());
  }
  return fds;
}

void Supervisor::CancelPending(const std::string& reason) {
  for (auto& child : children_) {
    if (child->state != Child::State::kPending) continue;
    MarkEnded(*child);
    proto::ChildError& error = outcomes_[child->index].error.error;
    error.set_kind(proto::ChildError::CANCELLED);
    error.set_target(calls_[child->index].target);
    error.set_call_index(child->index);
    error.set_detail(absl::StrCat("not started: ", reason));
  }
}

void Supervisor::LaunchPending() {
  int running = 0;
  for (const auto& child : children_) running += child->state == Child::State::kRunning;
  const int limit = context_ == Context::kInline ? 1 : options_.max_workers;
  for (auto& child : children_) {
    if (stopping_) break;
    if (limit > 0 && running >= limit) break;
    if (child->state != Child::State::kPending) continue;
    if (context_ == Context::kInline) {
      LaunchInline(*child);
      ++running;
      continue;
    }
    absl::Status status = Launch(*child);
    if (!status.ok()) {
      MarkEnded(*child);
      CallOutcome& outcome = outcomes_[child->index];
      outcome.error.error.set_kind(proto::ChildError::START_FAILED);
      outcome.error.error.set_target(calls_[child->index].target);
      outcome.error.error.set_call_index(child->index);
      outcome.error.error.set_detail(std::string(status.message()));
      continue;
    }
    ++running;
  }
}

absl::Status Supervisor::Launch(Child& child) {
  const CallSpec& call = calls_[child.index];
  UniqueFd parent_end, child_end;
  if (context_ == Context::kSpawn) {
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
      return ErrnoStatus("pcall: socketpair", errno);
    }
    parent_end.reset(fds[0]);
    child_end.reset(fds[1]);
  } else {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return ErrnoStatus("pcall: pipe2", errno);
    parent_end.reset(fds[0]);
    child_end.reset(fds[1]);
    if (options_.bus != nullptr) fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);  // fewer wake-ups
  }
  if (options_.bus != nullptr) {
    absl::StatusOr<bus::EventRing> ring = bus::EventRing::Create();
    if (!ring.ok()) return ring.status();
    child.ring = std::move(*ring);
  }
  // Everything the child needs is prepared before fork.
  std::vector<int> supervisor_fds = SupervisorFds();
  supervisor_fds.push_back(parent_end.get());
  if (context_ == Context::kFork) supervisor_fds.push_back(child.ring.fd());  // mapped already
  const std::vector<std::pair<int, int>> close_in_child = FdRanges(std::move(supervisor_fds));
  std::vector<char*> argv, envp;
  if (context_ == Context::kSpawn) {
    argv = Pointers(spawn_argv_);
    envp = Pointers(spawn_env_);
  }
  const pid_t parent = getpid();
  BeginManagedFork();
  pid_t pid = fork();
  if (pid != 0) EndManagedFork(pid);
  if (pid < 0) return ErrnoStatus("pcall: fork", errno);
  if (pid == 0) {
    PrepareForkedChild(parent, signals_to_reset_);
    // Orphans of the target's processes come to the child, not to us, while it lives: its
    // whole tree stays walkable (see descendants.h). Kept across execve in spawn.
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    CloseRanges(close_in_child);
    if (context_ == Context::kSpawn) {
      // Async-signal-safe only, until execve.
      // Move the channel to fd 3 and the ring to fd 4 (dup2 clears close-on-exec; a
      // descriptor already in place keeps it, so it is cleared by hand).
      int fd = child_end.get();
      int ring_fd = child.ring.fd();
      if (ring_fd == kSpawnChannelFd) {
        ring_fd = fcntl(ring_fd, F_DUPFD_CLOEXEC, kSpawnRingFd + 1);
        if (ring_fd < 0) _exit(127);
      }
      if (fd == kSpawnChannelFd) {
        fcntl(fd, F_SETFD, 0);
      } else if (dup2(fd, kSpawnChannelFd) < 0) {
        _exit(127);
      }
      if (ring_fd >= 0) {
        if (ring_fd == kSpawnRingFd) {
          fcntl(ring_fd, F_SETFD, 0);
        } else if (dup2(ring_fd, kSpawnRingFd) < 0) {
          _exit(127);
        }
      }
      CloexecFrom(ring_fd >= 0 ? kSpawnRingFd + 1 : kSpawnChannelFd + 1);
      execve("/proc/self/exe", argv.data(), envp.data());
      _exit(127);
    }
    ResetManagedChildrenInChild();
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) {
      dup2(devnull, STDIN_FILENO);
      close(devnull);
    }
    bus::InstallEventSender({child_end.get(), child.ring.valid() ? &child.ring : nullptr, nullptr,
                             call.target, child.index});
    EnableThrowSiteCapture();
    if (options_.child_logs) {
      log::RedirectToChildLog(log::ChildLogPath(options_.log_dir, options_.task, getpid()))
          .IgnoreError();
    }
    int code = RunTargetAndReport(child_end.get(), call.run);
    google::FlushLogFiles(google::GLOG_INFO);
    _exit(code);
  }
  setpgid(pid, pid);  // also here, so the group exists before we might signal it
  child_end.reset();
  child.ring.CloseFd();  // the mapping stays
  child.pid = pid;
  child.state = Child::State::kRunning;
  child.started = absl::Now();
  child.timeout = call.timeout.value_or(options_.timeout);
  child.deadline = child.started + child.timeout;
  outcomes_[child.index].start = child.started;
  child.channel = std::move(parent_end);
  if (options_.child_logs) {
    child.log_path = log::ChildLogPath(options_.log_dir, options_.task, pid);
  }
  absl::StatusOr<UniqueFd> pidfd = PidfdOpen(pid);
  if (!pidfd.ok()) {
    kill(-pid, SIGKILL);
    WaitPidRetry(pid);
    ForgetManagedChild(pid);
    child.state = Child::State::kDone;
    return pidfd.status();
  }
  child.pidfd = std::move(*pidfd);
  if (context_ == Context::kSpawn) {
    proto::SpawnRequest request;
    request.set_target(call.spawn_target);
    request.set_args(call.encode_args());
    request.set_call_index(child.index);
    if (options_.child_logs) request.set_log_dir(options_.log_dir);
    request.set_task(options_.task);
    std::string frame;
    bus::AppendFrame(request.SerializeAsString(), &frame);
    // A child that dies before reading is reported from its exit status, so a failed send is
    // not an error of its own.
    SendAll(child.channel.get(), frame).IgnoreError();
  }
  fcntl(child.channel.get(), F_SETFL, O_NONBLOCK);
  struct epoll_event event;
  memset(&event, 0, sizeof(event));
  event.events = EPOLLIN;
  event.data.u64 = static_cast<uint64_t>(child.index) * 2;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, child.pidfd.get(), &event);
  event.data.u64 = static_cast<uint64_t>(child.index) * 2 + 1;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, child.channel.get(), &event);
  if (options_.child_logs) {
    LOG(INFO) << "Forked process " << pid << " started, log: " << child.log_path;
  }
  return absl::OkStatus();
}

void Supervisor::Signal(Child& child, int signal_number) {
  // Only while the leader is unreaped: until then its pid (the group id) cannot be reused.
  if (child.state != Child::State::kRunning) return;
  // While the leader lives its tree holds every descendant (it is their subreaper), including
  // those that left its process group.
  if (!child.exited) SignalDescendants(child.pid, signal_number, &child.descendants);
  kill(-child.pid, signal_number);
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
      child.result = std::string(body);
      return;
    case bus::kWakeTag:
      return;  // the loop drains the ring on every pass
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

void Supervisor::OnLeaderExited(Child& child, absl::Time now) {
  child.exited = true;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, child.pidfd.get(), nullptr);
  // The target is done; whatever it left running in its group goes now, which also releases
  // the channel so the rest of it can be drained.
  Signal(child, SIGKILL);
  // A child that reported ended its descendants itself. One that did not (it crashed, called
  // _exit, or was killed) handed its remaining descendants to us, its subreaper: those it was
  // seen with, and by the rule in descendants.h those it was not. The leader is a zombie
  // still, so its pid and start time are stable.
  const bool reported = child.result.has_value() || child.failure.has_value();
  if (!reported || !child.descendants.empty()) {
    std::optional<ProcStat> leader = ReadProcStat(child.pid);
    EndLeftovers(std::move(child.descendants), !reported && leader.has_value(),
                 leader.has_value() ? leader->start_ticks : 0, NowInStartTicks() + 1, 1000);
    child.descendants.clear();
  }
  child.drain_until = now + kDrainAfterExit;
}

void Supervisor::Finish(Child& child) {
  DrainRing(child);  // everything the child appended before it ended
  child.ring = bus::EventRing();
  CloseChannel(child);
  const int status = WaitPidRetry(child.pid);
  ForgetManagedChild(child.pid);
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

void Supervisor::Cancel(Child& child, const std::string& reason, bool at_once) {
  if (child.state != Child::State::kRunning || child.exited) return;
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

std::vector<pid_t> Supervisor::Pids() const {
  std::vector<pid_t> pids;
  for (const auto& child : children_) {
    if (child->pid > 0) pids.push_back(child->pid);
  }
  return pids;
}

std::vector<pid_t> Supervisor::Living() const {
  std::vector<pid_t> pids;
  for (const auto& child : children_) {
    if (child->state != Child::State::kRunning || child->exited) continue;
    if (child->inline_run != nullptr) continue;
    struct pollfd fd = {child->pidfd.get(), POLLIN, 0};
    if (poll(&fd, 1, 0) == 0) pids.push_back(child->pid);
  }
  return pids;
}

absl::Status Supervisor::Join(absl::Duration timeout) {
  if (!started_) return absl::FailedPreconditionError("Pcall::join() called before start()");
  if (joined_) return join_status_;
  if (context_ == Context::kInline && incremental_) {
    const absl::Time until = absl::Now() + timeout;
    bool cancelled = false;
    for (;;) {
      ended_.clear();  // Join reports through outcomes()
      bool busy = false;
      for (const auto& child : children_) busy |= child->state != Child::State::kDone;
      if (!busy) break;
      if (!cancelled && absl::Now() >= until) {
        cancelled = true;
        CancelAll("the join deadline passed");
      }
      WaitInline(cancelled ? absl::InfiniteFuture() : until);
    }
    unreported_ = 0;
  } else if (context_ != Context::kInline) {
    const int interrupt_fd = AcquireInterrupts();
    absl::Status loop = Loop(absl::Now() + timeout, LoopMode::kUntilAllDone);
    ReleaseInterrupts(interrupt_fd);
    if (!loop.ok()) {
      joined_ = true;
      join_status_ = loop;
      return join_status_;
    }
    if (options_.child_logs && !killed_at_once_) {
      for (const auto& child : children_) {
        if (!child->log_path.empty() && !child->log_merged) log::MergeChildLog(child->log_path);
      }
    }
  }
  joined_ = true;
  join_status_ = FinalStatus();
  return join_status_;
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
    for (int i = 0; i < ready; ++i) {
      const uint64_t key = events[i].data.u64;
      if (key == kInterruptKey) continue;  // handled at the top of the loop
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
  }
}

absl::Status Supervisor::FinalStatus() const {
  if (interrupted_) {
    return absl::CancelledError(
        absl::StrCat("pcall interrupted by ", SignalName(LastInterruptSignal()),
                     killed_at_once_ ? ": children killed at once (second SIGINT)"
                                     : ": children terminated; their events and logs were kept"));
  }
  if (!timed_out_.empty()) {
    absl::Status status = absl::DeadlineExceededError(
        absl::StrCat("pcall timed out; children still alive at the deadline were terminated: ",
                     absl::StrJoin(timed_out_, ", ")));
    for (const CallOutcome& outcome : outcomes_) {
      if (outcome.error.error.kind() == proto::ChildError::TIMED_OUT) {
        status.SetPayload(kChildErrorPayloadUrl,
                          absl::Cord(outcome.error.error.SerializeAsString()));
        break;
      }
    }
    return status;
  }
  for (const CallOutcome& outcome : outcomes_) {
    if (!outcome.ok && outcome.error.error.kind() != proto::ChildError::CANCELLED) {
      return outcome.error.ToStatus();
    }
  }
  for (const CallOutcome& outcome : outcomes_) {
    if (!outcome.ok) return outcome.error.ToStatus();
  }
  return absl::OkStatus();
}

}  // namespace mptest::process
