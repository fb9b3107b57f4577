// Starting a pcall child: preparing the supervisor for its context, the queue of calls waiting
// for a max_workers slot, and Launch, the fork (and, for spawn, exec) with everything the child
// needs set up before fork. See supervisor.h.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
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
#include "core/process/supervisor.h"
#include "core/process/supervisor_child.h"
#include "glog/logging.h"

extern char** environ;

namespace mptest::process {
namespace {

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

}  // namespace

absl::Status Supervisor::Prepare() {
  if (context_ != Context::kInline) {
    // First: without its epoll the supervisor cannot watch a child. When it cannot be made
    // (no descriptor left), nothing is started and a later Add prepares again.
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) return ErrnoStatus("pcall: epoll_create1", errno);
    for (int fd : wake_fds_) WatchWakeFd(fd);
  }
  started_ = true;
  if (context_ == Context::kInline) return absl::OkStatus();
  BecomeSubreaperOnce();
  pid_ = getpid();
  if (context_ == Context::kFork) {
    // The children's stdin (if /dev/null cannot be opened they keep the caller's, as before).
    devnull_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
    bus::ReserveEventSenderForChildren();
  }
  signals_to_reset_ = NonDefaultSignals();
  signals_to_reset_.push_back(SIGINT);  // Join installs its interrupt handlers later
  signals_to_reset_.push_back(SIGTERM);
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

void Supervisor::CloseSupervisorFdsInChild(int channel_fd, int ring_fd) const {
  // Collected here, in the child, on its stack: the parent writes nothing for it between forks
  // (each page it writes then is copied again). Async-signal-safe (spawn runs it before exec).
  constexpr size_t kMaxCollected = 512;
  int fds[kMaxCollected];
  size_t count = 0;
  auto add = [&](int fd) {
    if (fd < 0) return;
    if (count < kMaxCollected) {
      fds[count++] = fd;
    } else {
      close(fd);
    }
  };
  add(epoll_fd_);
  add(InterruptFd());
  add(devnull_);
  add(channel_fd);
  add(ring_fd);
  for (const auto& child : children_) {
    add(child->channel.get());
    add(child->pidfd.get());
  }
  CloseDescriptors(fds, count);
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

absl::Status Supervisor::WatchExit(Child& child) {
  absl::StatusOr<UniqueFd> pidfd = PidfdOpen(child.pid);  // an unreaped child: its pid is ours
  if (!pidfd.ok()) {
    kill(-child.pid, SIGKILL);
    WaitPidRetry(child.pid);
    CloseChannel(child);
    return pidfd.status();
  }
  child.pidfd = std::move(*pidfd);
  struct epoll_event event;
  memset(&event, 0, sizeof(event));
  event.events = EPOLLIN;
  event.data.u64 = static_cast<uint64_t>(child.index) * 2;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, child.pidfd.get(), &event);
  return absl::OkStatus();
}

void Supervisor::FailStart(Child& child, const absl::Status& status) {
  MarkEnded(child);
  CallOutcome& outcome = outcomes_[child.index];
  outcome.error.error.set_kind(proto::ChildError::START_FAILED);
  outcome.error.error.set_target(calls_[child.index].target);
  outcome.error.error.set_call_index(child.index);
  outcome.error.error.set_detail(std::string(status.message()));
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
      FailStart(*child, status);
      continue;
    }
    ++running;
  }
  // The pidfds are opened once every child of this round is forked, so that each child
  // inherits (and must close) only its siblings' channels, not their pidfds too: with many
  // children at once, closing inherited descriptors is most of a child's own cost.
  for (auto& child : children_) {
    if (child->state != Child::State::kRunning || child->pidfd.valid() ||
        child->inline_run != nullptr) {
      continue;
    }
    absl::Status watched = WatchExit(*child);
    if (!watched.ok()) FailStart(*child, watched);
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
  std::vector<char*> argv, envp;
  if (context_ == Context::kSpawn) {
    argv = Pointers(spawn_argv_);
    envp = Pointers(spawn_env_);
  }
  const pid_t parent = pid_;
  pid_t pid = fork();
  if (pid < 0) return ErrnoStatus("pcall: fork", errno);
  if (pid == 0) {
    PrepareForkedChild(parent, signals_to_reset_);
    // Orphans of the target's processes come to the child, not to us, while it lives: its
    // whole tree stays walkable (see descendants.h). Kept across execve in spawn.
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    if (context_ == Context::kFork && devnull_ >= 0) dup2(devnull_, STDIN_FILENO);
    // Fork: the ring is mapped already, its descriptor is not needed.
    CloseSupervisorFdsInChild(parent_end.get(), context_ == Context::kFork ? child.ring.fd() : -1);
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
    bus::InstallEventSender({child_end.get(), child.ring.valid() ? &child.ring : nullptr, nullptr,
                             call.target, child.index, /*report_forks=*/true});
    log::SendWarningsAsEvents();
    EnableThrowSiteCapture();
    const int64_t logged_before = LoggedMessageCount();
    if (options_.child_logs) {
      log::RedirectToChildLog(log::ChildLogPath(options_.log_dir, options_.task, getpid()))
          .IgnoreError();
    }
    int code = RunTargetAndReport(child_end.get(), call.run);
    FlushLogsIfLoggedSince(logged_before);
    _exit(code);
  }
  setpgid(pid, pid);  // also here, so the group exists before we might signal it
  child_end.reset();
  child.ring.CloseFd();  // the mapping stays
  child.pid = pid;
  child.state = Child::State::kRunning;
  child.started = WallClockNow();
  child.timeout = call.timeout.value_or(options_.timeout);
  child.deadline = child.started + child.timeout;
  outcomes_[child.index].start = child.started;
  child.channel = std::move(parent_end);
  if (options_.child_logs) {
    child.log_path = log::ChildLogPath(options_.log_dir, options_.task, pid);
  }
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
  event.data.u64 = static_cast<uint64_t>(child.index) * 2 + 1;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, child.channel.get(), &event);
  if (options_.child_logs) {
    LOG(INFO) << "Forked process " << pid << " started, log: " << child.log_path;
  }
  return absl::OkStatus();
}

}  // namespace mptest::process
