// ForkExecutor: supervised child processes for the scheduler's jobs (see fork_executor.h).
#include "core/sched/fork_executor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <exception>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace mptest::sched {
namespace {

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

std::string DescribeStatus(int status) {
  if (WIFSIGNALED(status)) {
    const char* name = sigabbrev_np(WTERMSIG(status));
    return absl::StrCat("killed by ", name ? absl::StrCat("SIG", name) : "a signal",
                        WCOREDUMP(status) ? " (core dumped)" : "");
  }
  return absl::StrCat("exited ", WEXITSTATUS(status));
}

int WaitPid(pid_t pid, int flags) {
  int status = 0;
  while (waitpid(pid, &status, flags) < 0) {
    if (errno != EINTR) return -1;
  }
  return status;
}

// The child: runs the job and writes [8-byte length][payload] to the pipe.
[[noreturn]] void RunChild(int fd, const JobSpec& job, pid_t parent) {
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  signal(SIGINT, SIG_DFL);  // the parent's handlers are not the job's
  signal(SIGTERM, SIG_DFL);
  if (getppid() != parent) _exit(71);
  std::string payload;
  try {
    payload = job.work();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "mptest job %s: exception: %s\n", job.name.c_str(), error.what());
    _exit(70);
  } catch (...) {
    std::fprintf(stderr, "mptest job %s: unknown exception\n", job.name.c_str());
    _exit(70);
  }
  uint64_t size = payload.size();
  bool ok = WriteAll(fd, reinterpret_cast<const char*>(&size), sizeof(size)) &&
            WriteAll(fd, payload.data(), payload.size());
  std::fflush(nullptr);
  _exit(ok ? 0 : 72);
}

}  // namespace

ForkExecutor::ForkExecutor(int capacity, absl::Duration kill_grace)
    : capacity_(capacity), kill_grace_(kill_grace) {}

ForkExecutor::~ForkExecutor() {
  for (auto& [id, child] : children_) {
    kill(-child.pid, SIGKILL);
    kill(child.pid, SIGKILL);
    WaitPid(child.pid, 0);
    if (child.fd >= 0) close(child.fd);
  }
}

int ForkExecutor::Start(JobSpec job) {
  int fds[2];
  PCHECK(pipe2(fds, O_CLOEXEC) == 0) << "pipe2";
  std::fflush(nullptr);
  pid_t parent = getpid();
  pid_t pid = fork();
  PCHECK(pid >= 0) << "fork";
  if (pid == 0) {
    close(fds[0]);
    RunChild(fds[1], job, parent);
  }
  close(fds[1]);
  setpgid(pid, pid);  // also done by the child; whichever runs first wins the race
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  int id = next_id_++;
  Child& child = children_[id];
  child.pid = pid;
  child.fd = fds[0];
  child.start = absl::Now();
  child.deadline = child.start + job.deadline;
  child.before_kill = std::move(job.before_kill);
  child.name = job.name;
  return id;
}

void ForkExecutor::CancelAll() {
  absl::Time now = absl::Now();
  for (auto& [id, child] : children_) {
    child.cancelled = true;
    child.deadline = std::min(child.deadline, now);
  }
}

void ForkExecutor::KillGroup(Child& child) {
  if (child.before_kill) child.before_kill();
  kill(-child.pid, SIGTERM);
  absl::Time give_up = absl::Now() + kill_grace_;
  while (absl::Now() < give_up) {
    int status = 0;
    pid_t done = waitpid(child.pid, &status, WNOHANG);
    if (done == child.pid) {
      kill(-child.pid, SIGKILL);  // grandchildren left in the group
      child.pid = -child.pid;     // reaped
      return;
    }
    usleep(10000);
  }
  kill(-child.pid, SIGKILL);
  kill(child.pid, SIGKILL);
}

JobDone ForkExecutor::Finish(int id, Child& child, bool timed_out) {
  JobDone done;
  done.id = id;
  done.start = child.start;
  int status = 0;
  if (child.pid > 0) {
    status = WaitPid(child.pid, 0);
    kill(-child.pid, SIGKILL);  // nothing the job started outlives it
  }
  done.end = absl::Now();
  if (child.fd >= 0) {
    close(child.fd);
    child.fd = -1;
  }
  uint64_t size = 0;
  bool complete = child.buffer.size() >= sizeof(size);
  if (complete) {
    memcpy(&size, child.buffer.data(), sizeof(size));
    complete = child.buffer.size() == sizeof(size) + size;
  }
  if (timed_out) {
    done.status = JobDone::Status::kTimedOut;
    done.detail = child.cancelled ? absl::StrCat(child.name,
                                                 ": interrupted: boards powered off, process "
                                                 "group killed")
                                  : absl::StrCat(child.name, ": timed out after ",
                                                 absl::FormatDuration(child.deadline - child.start),
                                                 ": boards powered off, process group killed");
  } else if (child.pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && complete) {
    done.status = JobDone::Status::kOk;
    done.payload = child.buffer.substr(sizeof(size));
  } else {
    done.status = JobDone::Status::kCrashed;
    done.detail = absl::StrCat(child.name, ": the child process ", DescribeStatus(status),
                               complete ? "" : " without sending its result");
  }
  return done;
}

std::vector<JobDone> ForkExecutor::Wait(absl::Duration max_wait) {
  std::vector<JobDone> finished;
  absl::Time until = absl::Now() + max_wait;
  while (finished.empty()) {
    absl::Time now = absl::Now();
    // Deadlines first.
    for (auto it = children_.begin(); it != children_.end();) {
      if (now >= it->second.deadline) {
        KillGroup(it->second);
        finished.push_back(Finish(it->first, it->second, /*timed_out=*/true));
        it = children_.erase(it);
      } else {
        ++it;
      }
    }
    if (!finished.empty() || children_.empty()) break;
    absl::Time wake = until;
    std::vector<pollfd> fds;
    std::vector<int> ids;
    for (auto& [id, child] : children_) {
      wake = std::min(wake, child.deadline);
      fds.push_back(pollfd{child.fd, POLLIN, 0});
      ids.push_back(id);
    }
    int64_t timeout_ms = std::max<int64_t>(0, absl::ToInt64Milliseconds(wake - now) + 1);
    if (now >= until && wake >= until) timeout_ms = 0;
    int ready =
        poll(fds.data(), fds.size(), static_cast<int>(std::min<int64_t>(timeout_ms, 1 << 30)));
    if (ready < 0 && errno != EINTR) PLOG(FATAL) << "poll";
    for (size_t i = 0; ready > 0 && i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      Child& child = children_[ids[i]];
      char chunk[65536];
      bool closed = false;
      while (true) {
        ssize_t n = read(child.fd, chunk, sizeof(chunk));
        if (n > 0) {
          child.buffer.append(chunk, static_cast<size_t>(n));
          continue;
        }
        if (n == 0) closed = true;
        if (n < 0 && errno == EINTR) continue;
        break;  // EAGAIN: nothing more for now
      }
      if (closed) {
        finished.push_back(Finish(ids[i], child, /*timed_out=*/false));
        children_.erase(ids[i]);
      }
    }
    if (absl::Now() >= until) break;
  }
  return finished;
}

}  // namespace mptest::sched
