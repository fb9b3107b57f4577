// RunCommand: fork + execve with a ppoll loop over the output pipe, the stdin pipe and a pidfd.
// See subprocess.h for the contract.
#include "core/process/subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "core/process/posix_util.h"

extern char** environ;

namespace mptest::process {
namespace {

// The child's environment: the caller's, minus env_unset, plus env_set.
std::vector<std::string> BuildEnvironment(const CommandOptions& options) {
  std::map<std::string, std::string> vars;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const char* eq = strchr(*entry, '=');
    if (eq == nullptr) continue;
    vars[std::string(*entry, static_cast<size_t>(eq - *entry))] = eq + 1;
  }
  for (const std::string& name : options.env_unset) vars.erase(name);
  for (const auto& [name, value] : options.env_set) vars[name] = value;
  std::vector<std::string> env;
  env.reserve(vars.size());
  for (const auto& [name, value] : vars) env.push_back(absl::StrCat(name, "=", value));
  return env;
}

bool IsExecutableFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

// Resolves argv[0] the way execvp would, but before fork, so errors name the program.
absl::StatusOr<std::string> ResolveProgram(const CommandOptions& options) {
  const std::string& program = options.argv[0];
  if (program.empty()) return absl::InvalidArgumentError("RunCommand: argv[0] is empty");
  if (program.find('/') != std::string::npos) {
    if (access(program.c_str(), X_OK) != 0) {
      return ErrnoStatus(absl::StrCat("cannot execute '", program, "'"), errno);
    }
    return program;
  }
  std::string path;
  if (auto it = options.env_set.find("PATH"); it != options.env_set.end()) {
    path = it->second;
  } else if (const char* env_path = getenv("PATH"); env_path != nullptr) {
    path = env_path;
  } else {
    path = "/usr/local/bin:/usr/bin:/bin";
  }
  for (absl::string_view dir : absl::StrSplit(path, ':')) {
    std::string candidate = absl::StrCat(dir.empty() ? "." : dir, "/", program);
    if (IsExecutableFile(candidate)) return candidate;
  }
  return absl::NotFoundError(
      absl::StrCat("'", program, "' not found on PATH: ", strerror(ENOENT), " (PATH=", path, ")"));
}

struct ChildPipes {
  UniqueFd stdin_read, stdin_write;    // stdin_data; invalid = /dev/null
  UniqueFd output_read, output_write;  // merged stdout+stderr; or the stdout_path file
  UniqueFd error_write;                // stderr_path; invalid = stderr joins stdout
  UniqueFd exec_error_read, exec_error_write;
};

absl::Status MakePipe(UniqueFd* read_end, UniqueFd* write_end) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return ErrnoStatus("RunCommand: pipe2", errno);
  read_end->reset(fds[0]);
  write_end->reset(fds[1]);
  return absl::OkStatus();
}

absl::Status OpenPipes(const CommandOptions& options, ChildPipes* pipes) {
  if (!options.stdin_data.empty()) {
    absl::Status s = MakePipe(&pipes->stdin_read, &pipes->stdin_write);
    if (!s.ok()) return s;
    fcntl(pipes->stdin_write.get(), F_SETFL, O_NONBLOCK);
  } else {
    const std::string& in = options.stdin_path.empty() ? "/dev/null" : options.stdin_path;
    pipes->stdin_read.reset(open(in.c_str(), O_RDONLY | O_CLOEXEC));
    if (!pipes->stdin_read.valid()) {
      return ErrnoStatus(absl::StrCat("RunCommand: cannot open stdin '", in, "'"), errno);
    }
  }
  if (!options.stderr_path.empty()) {
    pipes->error_write.reset(
        open(options.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!pipes->error_write.valid()) {
      return ErrnoStatus(
          absl::StrCat("RunCommand: cannot open stderr_path '", options.stderr_path, "'"), errno);
    }
  }
  if (options.stdout_path.empty()) {
    absl::Status s = MakePipe(&pipes->output_read, &pipes->output_write);
    if (!s.ok()) return s;
    fcntl(pipes->output_read.get(), F_SETFL, O_NONBLOCK);
  } else {
    pipes->output_write.reset(
        open(options.stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!pipes->output_write.valid()) {
      return ErrnoStatus(
          absl::StrCat("RunCommand: cannot open stdout_path '", options.stdout_path, "'"), errno);
    }
  }
  return MakePipe(&pipes->exec_error_read, &pipes->exec_error_write);
}

// Runs in the forked child: only async-signal-safe calls until execve.
[[noreturn]] void ExecChild(pid_t parent, const std::vector<int>& signals, const ChildPipes& pipes,
                            const char* program, char* const* argv, char* const* envp,
                            const char* cwd) {
  PrepareForkedChild(parent, signals);
  int error_fd = pipes.exec_error_write.get();
  auto fail = [error_fd](int stage) {
    int report[2] = {stage, errno};
    WriteAll(error_fd, report, sizeof(report));
    _exit(127);
  };
  if (dup2(pipes.stdin_read.get(), STDIN_FILENO) < 0) fail(0);
  if (dup2(pipes.output_write.get(), STDOUT_FILENO) < 0) fail(0);
  const int error_fd_target =
      pipes.error_write.valid() ? pipes.error_write.get() : pipes.output_write.get();
  if (dup2(error_fd_target, STDERR_FILENO) < 0) fail(0);
  CloexecFrom(3);
  if (cwd != nullptr && chdir(cwd) != 0) fail(1);
  execve(program, argv, envp);
  fail(2);
  _exit(127);
}

std::string DescribeExecFailure(int stage, int error_number, const CommandOptions& options,
                                const std::string& program) {
  switch (stage) {
    case 1:
      return absl::StrCat("cannot chdir to '", options.cwd, "' for '", options.argv[0],
                          "': ", strerror(error_number));
    case 2:
      return absl::StrCat("cannot execute '", program, "' (argv[0] '", options.argv[0],
                          "'): ", strerror(error_number));
    default:
      return absl::StrCat("RunCommand: cannot set up stdio for '", options.argv[0],
                          "': ", strerror(error_number));
  }
}

void DecodeWaitStatus(int status, CommandResult* result) {
  if (WIFEXITED(status)) {
    result->exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result->term_signal = WTERMSIG(status);
    result->core_dumped = WCOREDUMP(status);
  }
}

// Reads whatever is available from a non-blocking descriptor. Returns false at EOF or error.
bool DrainAvailable(int fd, std::string* out) {
  char buffer[65536];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n > 0) {
      out->append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && errno == EAGAIN;
  }
}

}  // namespace

std::string SignalName(int signal_number) {
  const char* abbrev = sigabbrev_np(signal_number);
  if (abbrev == nullptr) return absl::StrCat("signal ", signal_number);
  return absl::StrCat("SIG", abbrev);
}

std::string CommandResult::Describe() const {
  if (timed_out) return absl::StrCat("timed out after ", absl::FormatDuration(timeout));
  if (term_signal != 0) {
    return absl::StrCat("killed by ", SignalName(term_signal), core_dumped ? " (core dumped)" : "");
  }
  return absl::StrCat("exited ", exit_code);
}

namespace {

// Resolves the program, opens *pipes, forks and execs, and waits until execve has succeeded;
// returns the child's pid (leader of its own process group). The child's ends of the pipes
// are closed here; the parent's stay in *pipes.
absl::StatusOr<pid_t> Launch(const CommandOptions& options, ChildPipes* pipes) {
  if (options.argv.empty()) return absl::InvalidArgumentError("RunCommand: argv is empty");
  if (!options.stdin_data.empty() && !options.stdin_path.empty()) {
    return absl::InvalidArgumentError("RunCommand: stdin_data and stdin_path are exclusive");
  }
  absl::StatusOr<std::string> program = ResolveProgram(options);
  if (!program.ok()) return program.status();

  // Everything the child needs is allocated before fork: it may not allocate afterwards.
  std::vector<std::string> env = BuildEnvironment(options);
  std::vector<char*> argv_ptrs, env_ptrs;
  for (const std::string& arg : options.argv) argv_ptrs.push_back(const_cast<char*>(arg.c_str()));
  argv_ptrs.push_back(nullptr);
  for (const std::string& var : env) env_ptrs.push_back(const_cast<char*>(var.c_str()));
  env_ptrs.push_back(nullptr);
  if (absl::Status s = OpenPipes(options, pipes); !s.ok()) return s;
  const pid_t parent = getpid();
  const std::vector<int> signals = NonDefaultSignals();
  pid_t pid = fork();
  if (pid < 0) return ErrnoStatus("RunCommand: fork", errno);
  if (pid == 0) {
    ExecChild(parent, signals, *pipes, program->c_str(), argv_ptrs.data(), env_ptrs.data(),
              options.cwd.empty() ? nullptr : options.cwd.c_str());
  }
  setpgid(pid, pid);  // also in the parent, so killpg works even before the child runs
  pipes->stdin_read.reset();
  pipes->output_write.reset();
  pipes->error_write.reset();
  pipes->exec_error_write.reset();

  // Did execve succeed? The error pipe closes on exec; otherwise it carries {stage, errno}.
  int report[2] = {0, 0};
  ssize_t got;
  do {
    got = read(pipes->exec_error_read.get(), report, sizeof(report));
  } while (got < 0 && errno == EINTR);
  if (got == sizeof(report)) {
    WaitPidRetry(pid);
    return absl::Status(absl::ErrnoToStatusCode(report[1]),
                        DescribeExecFailure(report[0], report[1], options, *program));
  }
  return pid;
}

}  // namespace

absl::StatusOr<StartedCommand> StartCommand(const CommandOptions& options) {
  if (!options.stdout_path.empty() || !options.stdin_data.empty() ||
      options.timeout != absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        "StartCommand: stdout_path, stdin_data and timeout are RunCommand's; leave them unset");
  }
  ChildPipes pipes;
  absl::StatusOr<pid_t> pid = Launch(options, &pipes);
  if (!pid.ok()) return pid.status();
  return StartedCommand{*pid, pipes.output_read.release()};
}

absl::StatusOr<CommandResult> RunCommand(const CommandOptions& options) {
  const absl::Time start = absl::Now();
  ChildPipes pipes;
  absl::StatusOr<pid_t> launched = Launch(options, &pipes);
  if (!launched.ok()) return launched.status();
  const pid_t pid = *launched;

  absl::StatusOr<UniqueFd> pidfd = PidfdOpen(pid);
  if (!pidfd.ok()) {
    kill(-pid, SIGKILL);
    WaitPidRetry(pid);
    return pidfd.status();
  }

  CommandResult result;
  const absl::Time deadline = start + options.timeout;
  absl::Time kill_at = absl::InfiniteFuture();
  size_t stdin_written = 0;
  bool exited = false;
  while (!exited) {
    struct pollfd fds[3];
    int nfds = 0;
    fds[nfds++] = {pidfd->get(), POLLIN, 0};
    const int output_index = pipes.output_read.valid() ? nfds : -1;
    if (output_index >= 0) fds[nfds++] = {pipes.output_read.get(), POLLIN, 0};
    const int stdin_index = pipes.stdin_write.valid() ? nfds : -1;
    if (stdin_index >= 0) fds[nfds++] = {pipes.stdin_write.get(), POLLOUT, 0};

    const absl::Time now = absl::Now();
    const absl::Time wake = std::min(result.timed_out ? kill_at : deadline, kill_at);
    struct timespec wait_ts;
    struct timespec* wait = nullptr;
    if (wake != absl::InfiniteFuture()) {
      wait_ts = absl::ToTimespec(std::max(wake - now, absl::ZeroDuration()));
      wait = &wait_ts;
    }
    int ready = ppoll(fds, nfds, wait, nullptr);
    if (ready < 0 && errno != EINTR) {
      kill(-pid, SIGKILL);
      WaitPidRetry(pid);
      return ErrnoStatus("RunCommand: ppoll", errno);
    }
    if (output_index >= 0 && fds[output_index].revents != 0) {
      if (!DrainAvailable(pipes.output_read.get(), &result.output)) pipes.output_read.reset();
    }
    if (stdin_index >= 0 && fds[stdin_index].revents != 0) {
      ssize_t n = write(pipes.stdin_write.get(), options.stdin_data.data() + stdin_written,
                        options.stdin_data.size() - stdin_written);
      if (n > 0) stdin_written += static_cast<size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) ||
          stdin_written == options.stdin_data.size()) {
        pipes.stdin_write.reset();  // done, or the child closed its stdin (EPIPE)
      }
    }
    if (fds[0].revents != 0) exited = true;
    const absl::Time after = absl::Now();
    if (!exited && !result.timed_out && after >= deadline) {
      result.timed_out = true;
      result.timeout = options.timeout;
      kill(-pid, SIGTERM);
      kill_at = after + options.kill_grace;
    } else if (!exited && after >= kill_at) {
      kill(-pid, SIGKILL);
      kill_at = absl::InfiniteFuture();
    }
  }
  // The leader is a zombie, so its pid (= the group id) cannot be reused yet: end whatever is
  // left in the group, then collect the rest of the output and reap.
  kill(-pid, SIGKILL);
  // A grandchild that left the group (setsid) may still hold the pipe: wait a bounded time.
  const absl::Time drain_deadline = absl::Now() + absl::Seconds(1);
  while (pipes.output_read.valid()) {
    struct pollfd fd = {pipes.output_read.get(), POLLIN, 0};
    struct timespec wait_ts =
        absl::ToTimespec(std::max(drain_deadline - absl::Now(), absl::ZeroDuration()));
    int ready = ppoll(&fd, 1, &wait_ts, nullptr);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0 || !DrainAvailable(pipes.output_read.get(), &result.output)) break;
  }
  int status = WaitPidRetry(pid);
  if (status < 0) return ErrnoStatus("RunCommand: waitpid", errno);
  KillAndReapGroup(pid, 1000);  // members re-parented to us if this process is a subreaper
  DecodeWaitStatus(status, &result);
  return result;
}

}  // namespace mptest::process
