// RunCommand and StartCommand: fork + execve (a double fork to detach) with a ppoll loop over
// the output pipe, the stdin pipe and a pidfd.
// See subprocess.h for the contract.
#include "core/process/subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
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
  UniqueFd output_copy;                // stdout_path when on_line reads the pipe: copied here
  std::string partial_line;            // on_line: the output after the last newline so far
  UniqueFd error_write;                // stderr_path; invalid = stderr joins stdout
  UniqueFd exec_error_read, exec_error_write;
  UniqueFd detached_pid_read, detached_pid_write;  // detach: the intermediate sends the pid
};

// What the forked child does, all decided (and allocated) before fork.
struct ChildPlan {
  pid_t parent = -1;
  std::vector<int> signals;  // to reset to SIG_DFL
  bool detach = false;
  bool new_session = false;
  bool parent_death_signal = true;
  bool controlling_tty = false;           // stdio[0] becomes the controlling terminal
  int stdio[3] = {-1, -1, -1};            // the caller's descriptors that become 0, 1 and 2
  std::vector<std::pair<int, int>> keep;  // inherit_fds: {child number, caller's descriptor}
  std::vector<int> moved;                 // scratch: keep's sources, moved above every target
  int first_free = 3;                     // above every descriptor number keep names
  const char* program = nullptr;
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  const char* cwd = nullptr;
};

absl::Status MakePipe(UniqueFd* read_end, UniqueFd* write_end) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return ErrnoStatus("RunCommand: pipe2", errno);
  read_end->reset(fds[0]);
  write_end->reset(fds[1]);
  return absl::OkStatus();
}

absl::Status OpenPipes(const CommandOptions& options, ChildPipes* pipes) {
  if (options.detach) {
    absl::Status s = MakePipe(&pipes->detached_pid_read, &pipes->detached_pid_write);
    if (!s.ok()) return s;
  }
  if (options.controlling_tty >= 0) {  // the terminal is stdin, stdout and stderr
    return MakePipe(&pipes->exec_error_read, &pipes->exec_error_write);
  }
  const int file_flags = O_WRONLY | O_CREAT | O_CLOEXEC | (options.append ? O_APPEND : O_TRUNC);
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
    pipes->error_write.reset(open(options.stderr_path.c_str(), file_flags, 0644));
    if (!pipes->error_write.valid()) {
      return ErrnoStatus(
          absl::StrCat("RunCommand: cannot open stderr_path '", options.stderr_path, "'"), errno);
    }
  }
  if (options.stdout_path.empty() || options.on_line) {
    absl::Status s = MakePipe(&pipes->output_read, &pipes->output_write);
    if (!s.ok()) return s;
    fcntl(pipes->output_read.get(), F_SETFL, O_NONBLOCK);
  }
  if (!options.stdout_path.empty()) {
    UniqueFd& file = options.on_line ? pipes->output_copy : pipes->output_write;
    file.reset(open(options.stdout_path.c_str(), file_flags, 0644));
    if (!file.valid()) {
      return ErrnoStatus(
          absl::StrCat("RunCommand: cannot open stdout_path '", options.stdout_path, "'"), errno);
    }
  }
  return MakePipe(&pipes->exec_error_read, &pipes->exec_error_write);
}

// Runs in the forked child: only async-signal-safe calls until execve.
[[noreturn]] void ExecChild(ChildPlan& plan, const ChildPipes& pipes) {
  int error_fd = pipes.exec_error_write.get();
  auto fail = [&error_fd](int stage) {
    int report[2] = {stage, errno};
    WriteAll(error_fd, report, sizeof(report));
    _exit(127);
  };
  if (plan.detach) {
    // The intermediate: a new session, then the command's process forks off and this one
    // exits, so the command is reparented and is not a session leader.
    setsid();
    pid_t command = fork();
    if (command != 0) {
      if (command < 0) fail(3);
      WriteAll(pipes.detached_pid_write.get(), &command, sizeof(command));
      _exit(0);
    }
  } else {
    if (plan.new_session) {
      setsid();
    } else {
      setpgid(0, 0);
    }
    if (plan.parent_death_signal) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != plan.parent) _exit(128 + SIGKILL);  // the parent died before prctl
    }
  }
  ResetSignalsInChild(plan.signals);
  // The descriptors to keep, and the error pipe, move above every number they may land on, so
  // that setting up 0-2 and the kept numbers clobbers none of them.
  for (size_t i = 0; i < plan.keep.size(); ++i) {
    plan.moved[i] = fcntl(plan.keep[i].second, F_DUPFD_CLOEXEC, plan.first_free);
    if (plan.moved[i] < 0) fail(0);
  }
  const int moved_error_fd = fcntl(error_fd, F_DUPFD_CLOEXEC, plan.first_free);
  if (moved_error_fd < 0) fail(0);
  error_fd = moved_error_fd;
  if (plan.controlling_tty && ioctl(plan.stdio[0], TIOCSCTTY, 0) != 0) fail(4);
  for (int target = 0; target < 3; ++target) {
    if (dup2(plan.stdio[target], target) < 0) fail(0);
  }
  CloexecFrom(3);
  for (size_t i = 0; i < plan.keep.size(); ++i) {
    if (dup2(plan.moved[i], plan.keep[i].first) < 0) fail(0);  // without close-on-exec
  }
  if (plan.cwd != nullptr && chdir(plan.cwd) != 0) fail(1);
  execve(plan.program, plan.argv, plan.envp);
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
    case 3:
      return absl::StrCat("cannot fork the detached '", options.argv[0],
                          "': ", strerror(error_number));
    case 4:
      return absl::StrCat("cannot make the terminal the controlling terminal of '", options.argv[0],
                          "': ", strerror(error_number));
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

// Reads what the output pipe holds now into the result (or the stdout_path copy) and hands it to
// on_line. False once the pipe is closed (or fails): stop reading it.
bool ForwardOutput(const CommandOptions& options, ChildPipes& pipes, CommandResult* result) {
  std::string chunk;
  const bool open = DrainAvailable(pipes.output_read.get(), &chunk);
  if (chunk.empty()) return open;
  if (pipes.output_copy.valid()) {
    WriteAll(pipes.output_copy.get(), chunk.data(), chunk.size());
  } else {
    result->output += chunk;
  }
  if (!options.on_line) return open;
  absl::string_view rest = chunk;
  for (size_t newline = rest.find('\n'); newline != absl::string_view::npos;
       newline = rest.find('\n')) {
    if (pipes.partial_line.empty()) {
      options.on_line(rest.substr(0, newline));
    } else {
      pipes.partial_line.append(rest.data(), newline);
      options.on_line(pipes.partial_line);
      pipes.partial_line.clear();
    }
    rest.remove_prefix(newline + 1);
  }
  pipes.partial_line.append(rest.data(), rest.size());
  return open;
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
  if (options.controlling_tty >= 0 &&
      (!options.stdin_data.empty() || !options.stdin_path.empty() || !options.stdout_path.empty() ||
       !options.stderr_path.empty())) {
    return absl::InvalidArgumentError(
        "RunCommand: controlling_tty is the child's stdio; leave stdin_data, stdin_path, "
        "stdout_path and stderr_path unset");
  }
  if (options.controlling_tty >= 0 && options.detach) {
    return absl::InvalidArgumentError(
        "RunCommand: a detached command leads no session and cannot have a controlling_tty");
  }
  for (const auto& [target, source] : options.inherit_fds) {
    if (target < 0 || source < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("RunCommand: inherit_fds {", target, ", ", source, "} is not a descriptor"));
    }
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
  ChildPlan plan;
  plan.parent = getpid();
  plan.signals = NonDefaultSignals();
  plan.detach = options.detach;
  plan.new_session = options.new_session || options.controlling_tty >= 0;
  plan.parent_death_signal = options.parent_death_signal && !options.detach;
  plan.controlling_tty = options.controlling_tty >= 0;
  if (plan.controlling_tty) {
    plan.stdio[0] = plan.stdio[1] = plan.stdio[2] = options.controlling_tty;
  } else {
    plan.stdio[0] = pipes->stdin_read.get();
    plan.stdio[1] = pipes->output_write.get();
    plan.stdio[2] = pipes->error_write.valid() ? pipes->error_write.get() : plan.stdio[1];
  }
  plan.keep.assign(options.inherit_fds.begin(), options.inherit_fds.end());
  plan.moved.resize(plan.keep.size(), -1);
  if (!plan.keep.empty()) plan.first_free = std::max(3, plan.keep.back().first + 1);
  plan.program = program->c_str();
  plan.argv = argv_ptrs.data();
  plan.envp = env_ptrs.data();
  plan.cwd = options.cwd.empty() ? nullptr : options.cwd.c_str();
  pid_t pid = fork();
  if (pid < 0) return ErrnoStatus("RunCommand: fork", errno);
  if (pid == 0) ExecChild(plan, *pipes);
  // Also in the parent, so killpg works even before the child runs (not for a session leader
  // to be: setsid fails in a process group leader).
  if (!plan.new_session && !plan.detach) setpgid(pid, pid);
  pipes->stdin_read.reset();
  pipes->output_write.reset();
  pipes->error_write.reset();
  pipes->exec_error_write.reset();
  pipes->detached_pid_write.reset();

  const pid_t forked = pid;
  if (options.detach) {
    // The intermediate sends the command's pid and exits (or reports a failed fork).
    pid_t command = -1;
    ssize_t got;
    do {
      got = read(pipes->detached_pid_read.get(), &command, sizeof(command));
    } while (got < 0 && errno == EINTR);
    WaitPidRetry(forked);
    pipes->detached_pid_read.reset();
    if (got == sizeof(command)) pid = command;
  }
  // Did execve succeed? The error pipe closes on exec; otherwise it carries {stage, errno}.
  int report[2] = {0, 0};
  ssize_t got;
  do {
    got = read(pipes->exec_error_read.get(), report, sizeof(report));
  } while (got < 0 && errno == EINTR);
  if (got == sizeof(report)) {
    if (!options.detach) WaitPidRetry(pid);  // a detached child is reaped by its new parent
    return absl::Status(absl::ErrnoToStatusCode(report[1]),
                        DescribeExecFailure(report[0], report[1], options, *program));
  }
  if (options.detach && pid == forked) {
    return absl::InternalError(
        absl::StrCat("RunCommand: the detached '", options.argv[0], "' sent no pid"));
  }
  return pid;
}

}  // namespace

absl::StatusOr<StartedCommand> StartCommand(const CommandOptions& options) {
  if (!options.stdin_data.empty() || options.timeout != absl::InfiniteDuration() ||
      options.on_line) {
    return absl::InvalidArgumentError(
        "StartCommand: stdin_data, timeout and on_line are RunCommand's; leave them unset");
  }
  ChildPipes pipes;
  absl::StatusOr<pid_t> pid = Launch(options, &pipes);
  if (!pid.ok()) return pid.status();
  return StartedCommand{*pid, pipes.output_read.release()};
}

absl::StatusOr<CommandResult> RunCommand(const CommandOptions& options) {
  const absl::Time start = absl::Now();
  if (options.detach) {
    return absl::InvalidArgumentError("RunCommand: detach is StartCommand's; RunCommand waits");
  }
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
      if (!ForwardOutput(options, pipes, &result)) pipes.output_read.reset();
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
    if (ready <= 0 || !ForwardOutput(options, pipes, &result)) break;
  }
  if (options.on_line && !pipes.partial_line.empty()) options.on_line(pipes.partial_line);
  int status = WaitPidRetry(pid);
  if (status < 0) return ErrnoStatus("RunCommand: waitpid", errno);
  KillAndReapGroup(pid, 1000);  // members re-parented to us if this process is a subreaper
  DecodeWaitStatus(status, &result);
  return result;
}

}  // namespace mptest::process
