// The virtual board's CPython process (see python_interpreter.h).
#include "firmware/python_interpreter.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "core/process/subprocess.h"
#include "firmware/board_driver_py.h"

namespace mptest::firmware {

absl::Status PythonInterpreter::Start(const std::string& python, const VirtualImage& image) {
  Stop();
  if (access(python.c_str(), X_OK) != 0) {
    return absl::NotFoundError(
        absl::StrCat("the interpreter ", python, " is not executable: ", strerror(errno)));
  }
  int to_child[2], from_child[2];
  if (pipe2(to_child, O_CLOEXEC) != 0) return absl::InternalError("pipe2 failed");
  if (pipe2(from_child, O_CLOEXEC) != 0) {
    close(to_child[0]);
    close(to_child[1]);
    return absl::InternalError("pipe2 failed");
  }
  // Its own process group: a Ctrl-C on the board's own terminal must not reach the
  // interpreter. Commands come on stdin, events go out on descriptor 3, its stderr is the
  // board's (its log), and what it prints to stdout itself is dropped.
  process::CommandOptions options;
  options.argv = {python,      "-I",          "-S",          "-c",      kBoardDriverPy,
                  image.board, image.variant, image.version, image.date};
  options.stdout_path = "/dev/null";
  options.inherit_fds = {{0, to_child[0]}, {2, STDERR_FILENO}, {3, from_child[1]}};
  absl::StatusOr<process::StartedCommand> started = process::StartCommand(options);
  close(to_child[0]);
  close(from_child[1]);
  if (!started.ok()) {
    close(to_child[1]);
    close(from_child[0]);
    return started.status();
  }
  pid_ = started->pid;
  commands_.reset(to_child[1]);
  events_.reset(from_child[0]);
  fcntl(events_.get(), F_SETFL, O_NONBLOCK);
  partial_.clear();
  return absl::OkStatus();
}

void PythonInterpreter::Stop() {
  commands_.reset();
  events_.reset();
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  pid_ = -1;
}

absl::Status PythonInterpreter::Send(char kind, absl::string_view payload) {
  if (!commands_.valid()) return absl::FailedPreconditionError("interpreter not running");
  uint32_t size = payload.size();
  char header[5] = {kind, static_cast<char>(size & 0xff), static_cast<char>((size >> 8) & 0xff),
                    static_cast<char>((size >> 16) & 0xff), static_cast<char>(size >> 24)};
  std::string frame = absl::StrCat(absl::string_view(header, 5), payload);
  // The pipe is blocking: the interpreter reads commands whenever it is idle.
  return pty::WriteAll(commands_.get(), frame, absl::InfiniteFuture());
}

absl::Status PythonInterpreter::Execute(absl::string_view code, bool friendly) {
  return Send(friendly ? 'S' : 'X', code);
}

absl::Status PythonInterpreter::SoftReset() { return Send('R', ""); }

void PythonInterpreter::Interrupt() {
  if (pid_ > 0) kill(pid_, SIGINT);
}

absl::Status PythonInterpreter::ReadEvents(std::vector<Event>* events) {
  char buffer[8192];
  for (;;) {
    ssize_t n = read(events_.get(), buffer, sizeof(buffer));
    if (n > 0) {
      partial_.append(buffer, n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    return absl::UnavailableError("the board's interpreter process ended");
  }
  while (partial_.size() >= 5) {
    const unsigned char* h = reinterpret_cast<const unsigned char*>(partial_.data());
    uint32_t size = h[1] | (h[2] << 8) | (h[3] << 16) | (static_cast<uint32_t>(h[4]) << 24);
    if (partial_.size() < 5 + size) break;
    Event event;
    switch (partial_[0]) {
      case 'O':
        event.kind = Event::Kind::kStdout;
        break;
      case 'E':
        event.kind = Event::Kind::kDone;
        break;
      case 'Q':
        event.kind = Event::Kind::kSystemExit;
        break;
      case 'D':
        event.kind = Event::Kind::kResetDone;
        break;
      case 'B':
        event.kind = Event::Kind::kBooted;
        break;
      default:
        return absl::InternalError(
            absl::StrCat("bad frame type from interpreter: ", static_cast<int>(partial_[0])));
    }
    event.data = partial_.substr(5, size);
    partial_.erase(0, 5 + size);
    events->push_back(std::move(event));
  }
  return absl::OkStatus();
}

}  // namespace mptest::firmware
