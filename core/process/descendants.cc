// Process-tree walking and the ending of a pcall child's leftovers; see descendants.h.
#include "core/process/descendants.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "core/process/keep_after_call.h"

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
    while (waitpid(-1, &status, WNOHANG) > 0) {
    }
    bool others = false;  // living children other than the ones kept after the call
    for (pid_t child : ChildrenOf(getpid())) {
      if (KeptAfterCall(child)) continue;
      others = true;
      StopAndKillTree(child, &seen);
    }
    if (!others) return;
    usleep(1000);
  }
}

bool KeptAfterCall(pid_t pid) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/environ", static_cast<int>(pid));
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  std::string environment;
  char buffer[4096];
  ssize_t n;
  while (environment.size() < (1 << 20) && (n = read(fd, buffer, sizeof(buffer))) > 0) {
    environment.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  const std::string wanted = std::string(kKeepAfterCallVariable) + '=' + kKeepAfterCallValue + '\0';
  return environment.rfind(wanted, 0) == 0 || environment.find('\0' + wanted) != std::string::npos;
}

std::optional<ProcessRef> RefOf(pid_t pid) {
  std::optional<ProcStat> stat = ReadProcStat(pid);
  if (!stat.has_value() || stat->state == 'Z' || stat->state == 'X') return std::nullopt;
  return ProcessRef{pid, stat->start_ticks};
}

void EndLeftovers(std::vector<ProcessRef> seen, int limit_ms) {
  if (seen.empty()) return;
  const pid_t self = getpid();
  for (int waited_ms = 0;; ++waited_ms) {
    bool any = false;
    for (size_t i = 0; i < seen.size(); ++i) {  // StopAndKillTree may append
      const ProcessRef ref = seen[i];
      std::optional<ProcStat> stat = ReadProcStat(ref.pid);
      if (!stat.has_value() || stat->start_ticks != ref.start_ticks) continue;  // gone
      if (stat->state != 'Z' && KeptAfterCall(ref.pid)) continue;  // meant to outlive the call
      if (stat->state != 'Z') {
        any = true;
        StopAndKillTree(ref.pid, &seen);  // its descendants are recorded: they come to us next
      }
      if (stat->ppid == self) {
        any = true;
        waitpid(ref.pid, nullptr, WNOHANG);
      }
      // A zombie whose parent is another process is that process's to reap.
    }
    if (!any || waited_ms >= limit_ms) return;
    usleep(1000);
  }
}

}  // namespace mptest::process
