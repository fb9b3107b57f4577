// RunInChild: fork, run, report the status through a pipe. A test helper (testonly) that runs
// a function in a forked copy of the test, never a program (no exec): process::StartCommand,
// the one way to start a program, does not apply.
#include "core/report/test_child.h"

#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>

#include "absl/time/clock.h"

namespace mptest::report::testing {

ChildResult RunInChild(const std::function<absl::Status()>& body, absl::Duration deadline) {
  ChildResult result;
  int fds[2];
  if (pipe(fds) != 0) return result;
  pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    absl::Status status = body();
    std::string message(1, static_cast<char>(status.code()));
    message.append(status.message().data(), status.message().size());
    (void)!write(fds[1], message.data(), message.size());
    _exit(0);
  }
  close(fds[1]);
  std::string received;
  const absl::Time end = absl::Now() + deadline;
  while (true) {
    const int64_t wait_ms = absl::ToInt64Milliseconds(end - absl::Now());
    pollfd poll_fd = {fds[0], POLLIN, 0};
    if (wait_ms <= 0 || poll(&poll_fd, 1, static_cast<int>(wait_ms)) == 0) {
      kill(child, SIGKILL);
      break;
    }
    char buffer[1024];
    ssize_t n = read(fds[0], buffer, sizeof(buffer));
    if (n <= 0) break;
    received.append(buffer, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  result.exited = WIFEXITED(status) && WEXITSTATUS(status) == 0 && !received.empty();
  if (result.exited) {
    result.code = static_cast<absl::StatusCode>(received[0]);
    result.message = received.substr(1);
  }
  return result;
}

ChildResult RunWithFileSizeLimit(size_t bytes, const std::function<absl::Status()>& body) {
  return RunInChild([&] {
    signal(SIGXFSZ, SIG_IGN);  // EFBIG instead of death, as mptest's main does
    struct rlimit limit = {bytes, bytes};
    setrlimit(RLIMIT_FSIZE, &limit);
    return body();
  });
}

}  // namespace mptest::report::testing
