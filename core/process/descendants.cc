// Process-tree walking and the ending of a pcall child's leftovers; see descendants.h.
#include "core/process/descendants.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>

namespace mptest::process {
namespace {

// Reads a small /proc file into `buffer` (NUL-terminated). Returns its length, or -1.
ssize_t ReadSmallFile(const char* path, char* buffer, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t total = 0;
  while (total + 1 < size) {
    ssize_t n = read(fd, buffer + total, size - 1 - total);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    total += static_cast<size_t>(n);
  }
  close(fd);
  buffer[total] = '\0';
  return static_cast<ssize_t>(total);
}

// Parses the space-separated pids of a /proc/.../children file, appending to *out.
void ParsePids(const char* text, std::vector<pid_t>* out) {
  while (*text != '\0') {
    char* end = nullptr;
    long value = strtol(text, &end, 10);
    if (end == text) break;
    if (value > 0) out->push_back(static_cast<pid_t>(value));
    text = end;
  }
}

// Numeric entries of a /proc directory.
std::vector<pid_t> NumericEntries(const char* path) {
  std::vector<pid_t> out;
  DIR* dir = opendir(path);
  if (dir == nullptr) return out;
  while (struct dirent* entry = readdir(dir)) {
    char* end = nullptr;
    long value = strtol(entry->d_name, &end, 10);
    if (end != entry->d_name && *end == '\0' && value > 0) out.push_back(static_cast<pid_t>(value));
  }
  closedir(dir);
  return out;
}

bool Recorded(const std::vector<ProcessRef>& seen, pid_t pid, uint64_t start_ticks) {
  return std::any_of(seen.begin(), seen.end(), [&](const ProcessRef& ref) {
    return ref.pid == pid && ref.start_ticks == start_ticks;
  });
}

// Stops `root` and everything under it, top down (a stopped process cannot fork, so each
// children list read after the stop is final), recording them in *seen; then SIGKILLs them
// all and the groups they lead. Processes that vanish meanwhile are skipped.
void StopAndKillTree(pid_t root, std::vector<ProcessRef>* seen) {
  std::vector<pid_t> stopped;
  std::vector<pid_t> queue = {root};
  while (!queue.empty()) {
    const pid_t pid = queue.back();
    queue.pop_back();
    std::optional<ProcStat> stat = ReadProcStat(pid);
    if (!stat.has_value() || stat->state == 'Z' || stat->state == 'X') continue;
    if (std::find(stopped.begin(), stopped.end(), pid) != stopped.end()) continue;
    if (kill(pid, SIGSTOP) != 0) continue;
    stopped.push_back(pid);
    if (!Recorded(*seen, pid, stat->start_ticks)) seen->push_back({pid, stat->start_ticks});
    for (pid_t child : ChildrenOf(pid)) queue.push_back(child);
  }
  for (pid_t pid : stopped) {
    std::optional<ProcStat> stat = ReadProcStat(pid);
    if (stat.has_value() && stat->pgid == pid) kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
  }
}

// The registry of managed children (see descendants.h). A spinlock rather than a mutex: a
// forked child that uses it resets it, which must not depend on another thread's lock state.
// The reset happens on first use in the child, so a child that never uses it writes nothing
// here (a write after fork copies the page).
struct ManagedChildren {
  std::atomic_flag lock = ATOMIC_FLAG_INIT;
  pid_t owner = getpid();  // the process whose children these are
  int forks_in_flight = 0;
  // A multiset (a reused pid may briefly be in twice). The first entries live here, in the
  // page the lock is in, so registering a child writes one page.
  static constexpr int kInline = 250;
  int inline_count = 0;
  pid_t inline_pids[kInline];
  std::vector<pid_t> more;

  bool Contains(pid_t pid) const {
    return std::find(inline_pids, inline_pids + inline_count, pid) != inline_pids + inline_count ||
           std::find(more.begin(), more.end(), pid) != more.end();
  }
  void Add(pid_t pid) {
    if (inline_count < kInline) {
      inline_pids[inline_count++] = pid;
    } else {
      more.push_back(pid);
    }
  }
  void Remove(pid_t pid) {
    pid_t* end = inline_pids + inline_count;
    pid_t* it = std::find(inline_pids, end, pid);
    if (it != end) {
      *it = inline_pids[--inline_count];
      return;
    }
    auto more_it = std::find(more.begin(), more.end(), pid);
    if (more_it != more.end()) more.erase(more_it);
  }
};

ManagedChildren& Managed() {
  static ManagedChildren* managed = new ManagedChildren;
  return *managed;
}

class ManagedLock {
 public:
  ManagedLock() {
    ManagedChildren& managed = Managed();
    const pid_t self = getpid();
    if (managed.owner != self) {  // first use in a forked child: the parent's state is not ours
      managed.lock.clear(std::memory_order_release);
      managed.inline_count = 0;
      managed.more.clear();
      managed.forks_in_flight = 0;
      managed.owner = self;
    }
    while (managed.lock.test_and_set(std::memory_order_acquire)) sched_yield();
  }
  ~ManagedLock() { Managed().lock.clear(std::memory_order_release); }
};

// False if `pid` is a managed child, or a managed fork is under way (its pid is not known yet).
bool MayBeLeftover(pid_t pid) {
  ManagedLock lock;
  const ManagedChildren& managed = Managed();
  return managed.forks_in_flight == 0 && !managed.Contains(pid);
}

}  // namespace

std::optional<ProcStat> ReadProcStat(pid_t pid) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/stat", static_cast<int>(pid));
  char text[1024];
  if (ReadSmallFile(path, text, sizeof(text)) <= 0) return std::nullopt;
  const char* rest = strrchr(text, ')');  // the command name may contain spaces and parens
  if (rest == nullptr || rest[1] == '\0') return std::nullopt;
  rest += 2;
  ProcStat stat;
  stat.state = *rest;
  // Fields 4 (ppid) and 5 (pgrp), then 22 (starttime).
  char* end = nullptr;
  std::vector<unsigned long long> fields;
  const char* cursor = rest + 1;
  while (fields.size() < 19) {
    unsigned long long value = strtoull(cursor, &end, 10);
    if (end == cursor) {  // a negative field (tty, tpgid...): skip the sign
      if (*cursor == ' ' || *cursor == '-') {
        ++cursor;
        continue;
      }
      return std::nullopt;
    }
    fields.push_back(value);
    cursor = end;
  }
  stat.ppid = static_cast<pid_t>(fields[0]);
  stat.pgid = static_cast<pid_t>(fields[1]);
  stat.start_ticks = fields[18];
  return stat;
}

uint64_t NowInStartTicks() {
  struct timespec now;
  clock_gettime(CLOCK_BOOTTIME, &now);
  const uint64_t hz = static_cast<uint64_t>(sysconf(_SC_CLK_TCK));
  return static_cast<uint64_t>(now.tv_sec) * hz +
         static_cast<uint64_t>(now.tv_nsec) * hz / 1000000000u;
}

std::vector<pid_t> ChildrenOf(pid_t pid) {
  std::vector<pid_t> children;
  char path[96];
  snprintf(path, sizeof(path), "/proc/%d/task", static_cast<int>(pid));
  bool have_children_file = false;
  for (pid_t tid : NumericEntries(path)) {
    snprintf(path, sizeof(path), "/proc/%d/task/%d/children", static_cast<int>(pid),
             static_cast<int>(tid));
    char text[4096];
    if (ReadSmallFile(path, text, sizeof(text)) < 0) continue;
    have_children_file = true;
    ParsePids(text, &children);
  }
  if (have_children_file || ReadProcStat(pid) == std::nullopt) return children;
  for (pid_t candidate : NumericEntries("/proc")) {  // no children file on this kernel
    std::optional<ProcStat> stat = ReadProcStat(candidate);
    if (stat.has_value() && stat->ppid == pid) children.push_back(candidate);
  }
  return children;
}

void SignalDescendants(pid_t root, int signal_number, std::vector<ProcessRef>* seen) {
  if (signal_number == SIGKILL) {  // stopping root too means it cannot fork past the walk
    StopAndKillTree(root, seen);
    seen->erase(std::remove_if(seen->begin(), seen->end(),
                               [root](const ProcessRef& ref) { return ref.pid == root; }),
                seen->end());
    return;
  }
  std::vector<pid_t> queue = ChildrenOf(root);
  std::vector<pid_t> visited;
  while (!queue.empty()) {
    const pid_t pid = queue.back();
    queue.pop_back();
    if (std::find(visited.begin(), visited.end(), pid) != visited.end()) continue;
    visited.push_back(pid);
    std::optional<ProcStat> stat = ReadProcStat(pid);
    if (!stat.has_value() || stat->state == 'Z') continue;
    if (!Recorded(*seen, pid, stat->start_ticks)) seen->push_back({pid, stat->start_ticks});
    if (stat->pgid == pid) kill(-pid, signal_number);
    kill(pid, signal_number);
    for (pid_t child : ChildrenOf(pid)) queue.push_back(child);
  }
}

void EndOwnDescendants(int limit_ms) {
  int status = 0;
  pid_t reaped = waitpid(-1, &status, WNOHANG);
  if (reaped < 0 && errno == ECHILD) return;  // no children, hence no descendants: we reap them
  std::vector<ProcessRef> seen;
  for (int waited_ms = 0; waited_ms <= limit_ms; ++waited_ms) {
    for (pid_t child : ChildrenOf(getpid())) StopAndKillTree(child, &seen);
    while ((reaped = waitpid(-1, &status, WNOHANG)) > 0) {
    }
    if (reaped < 0 && errno == ECHILD) return;
    usleep(1000);
  }
}

void EndLeftovers(std::vector<ProcessRef> seen, bool adopt_unrecorded, uint64_t start_ticks,
                  uint64_t end_ticks, int limit_ms) {
  const pid_t self = getpid();
  const pid_t own_group = getpgrp();
  for (int waited_ms = 0;; ++waited_ms) {
    bool any = false;
    for (pid_t pid : ChildrenOf(self)) {
      std::optional<ProcStat> stat = ReadProcStat(pid);
      if (!stat.has_value() || stat->ppid != self) continue;
      const bool recorded = Recorded(seen, pid, stat->start_ticks);
      const bool adopted = !recorded && adopt_unrecorded && stat->start_ticks >= start_ticks &&
                           stat->start_ticks <= end_ticks && stat->pgid != own_group &&
                           MayBeLeftover(pid);
      if (!recorded && !adopted) continue;
      any = true;
      if (stat->state == 'Z') {
        waitpid(pid, nullptr, WNOHANG);
        continue;
      }
      StopAndKillTree(pid, &seen);  // records its descendants: they come to us next
      waitpid(pid, nullptr, WNOHANG);
    }
    if (!any || waited_ms >= limit_ms) return;
    usleep(1000);
  }
}

void BeginManagedFork() {
  ManagedLock lock;
  ++Managed().forks_in_flight;
}

void EndManagedFork(pid_t pid) {
  ManagedLock lock;
  ManagedChildren& managed = Managed();
  --managed.forks_in_flight;
  if (pid > 0) managed.Add(pid);
}

void ForgetManagedChild(pid_t pid) {
  ManagedLock lock;
  Managed().Remove(pid);
}

}  // namespace mptest::process
