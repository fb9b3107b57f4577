// Test helpers that inspect /proc: this process's children (live or zombie), its open
// descriptors, and whether a pid still exists. Used to prove that nothing is leaked. Also a
// glog sink that collects the parent's log lines.
#ifndef MPTEST_CORE_PROCESS_TEST_UTIL_H_
#define MPTEST_CORE_PROCESS_TEST_UTIL_H_

#include <sys/resource.h>
#include <sys/types.h>

#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "glog/logging.h"

namespace mptest::process::testing {

// Pids whose parent is this process (any state, zombies included), from /proc/*/stat.
std::vector<pid_t> ChildPids();

// The descriptors open in this process, from /proc/self/fd (excluding the one used to list).
std::set<int> OpenFds();

// True while /proc/<pid> exists and the process is not a zombie.
bool ProcessRunning(pid_t pid);

// Polls `done` every millisecond until it returns true or `limit` passes. Returns done().
bool WaitFor(const std::function<bool()>& done, absl::Duration limit = absl::Seconds(5));

// Human-readable description of the fds in `fds` (their /proc/self/fd link targets).
std::string DescribeFds(const std::set<int>& fds);

// While it lives, every descriptor number this process may use is taken: its open-file limit
// (soft) is the lowest free number, so the next open, pipe or epoll fails with EMFILE.
class NoDescriptorsLeft {
 public:
  NoDescriptorsLeft();
  ~NoDescriptorsLeft();
  NoDescriptorsLeft(const NoDescriptorsLeft&) = delete;
  NoDescriptorsLeft& operator=(const NoDescriptorsLeft&) = delete;

 private:
  struct rlimit old_;
};

// Collects every message logged in this process while added (google::AddLogSink).
class CapturingLogSink : public google::LogSink {
 public:
  void send(google::LogSeverity, const char*, const char*, int, const google::LogMessageTime&,
            const char* message, size_t message_len) override {
    std::lock_guard<std::mutex> lock(mu);
    lines.emplace_back(message, message_len);
  }
  std::mutex mu;
  std::vector<std::string> lines;
};

}  // namespace mptest::process::testing

#endif  // MPTEST_CORE_PROCESS_TEST_UTIL_H_
