// /proc inspection for tests; see test_util.h.
#include "core/process/test_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace mptest::process::testing {
namespace {

// Reads /proc/<pid>/stat and returns {state, ppid}; state 0 if unreadable.
std::pair<char, pid_t> StatOf(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  if (!std::getline(in, line)) return {0, 0};
  size_t paren = line.rfind(')');
  if (paren == std::string::npos) return {0, 0};
  std::istringstream rest(line.substr(paren + 2));
  char state = 0;
  pid_t ppid = 0;
  rest >> state >> ppid;
  return {state, ppid};
}

}  // namespace

std::vector<pid_t> ChildPids() {
  std::vector<pid_t> children;
  const pid_t self = getpid();
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return children;
  while (struct dirent* entry = readdir(dir)) {
    int pid = 0;
    if (!absl::SimpleAtoi(entry->d_name, &pid)) continue;
    if (StatOf(pid).second == self) children.push_back(pid);
  }
  closedir(dir);
  return children;
}

std::set<int> OpenFds() {
  std::set<int> fds;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return fds;
  const int own = dirfd(dir);
  while (struct dirent* entry = readdir(dir)) {
    int fd = 0;
    if (absl::SimpleAtoi(entry->d_name, &fd) && fd != own) fds.insert(fd);
  }
  closedir(dir);
  return fds;
}

bool ProcessRunning(pid_t pid) {
  char state = StatOf(pid).first;
  return state != 0 && state != 'Z' && state != 'X';
}

bool WaitFor(const std::function<bool()>& done, absl::Duration limit) {
  const absl::Time deadline = absl::Now() + limit;
  while (!done()) {
    if (absl::Now() >= deadline) return done();
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

std::string DescribeFds(const std::set<int>& fds) {
  std::string out;
  for (int fd : fds) {
    char target[512];
    std::string link = absl::StrCat("/proc/self/fd/", fd);
    ssize_t n = readlink(link.c_str(), target, sizeof(target) - 1);
    absl::StrAppend(&out, fd, "->", n > 0 ? std::string(target, static_cast<size_t>(n)) : "?", " ");
  }
  return out;
}

NoDescriptorsLeft::NoDescriptorsLeft() {
  getrlimit(RLIMIT_NOFILE, &old_);
  const int lowest_free = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (lowest_free < 0) return;  // none left already
  close(lowest_free);
  struct rlimit none_left = old_;
  none_left.rlim_cur = static_cast<rlim_t>(lowest_free);
  setrlimit(RLIMIT_NOFILE, &none_left);
}

NoDescriptorsLeft::~NoDescriptorsLeft() { setrlimit(RLIMIT_NOFILE, &old_); }

}  // namespace mptest::process::testing
