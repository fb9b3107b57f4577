// Starting and stopping virtual boards (see launcher.h).
#include "firmware/launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "core/process/keep_after_call.h"
#include "core/process/subprocess.h"
#include "google/protobuf/text_format.h"

namespace mptest::firmware {
namespace {

std::string LogTail(const std::string& path) {
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  std::string text = content.str();
  if (text.size() > 800) text = text.substr(text.size() - 800);
  return text;
}

// The variable through which every copy of this code in the process (mptest and each plugin
// library link their own) finds the one lifeline PrepareLifeline made.
constexpr char kLifelineReadEndVariable[] = "MPTEST_LIFELINE_READ_END";

// The read end of this process's lifeline (see kLifelineVariable): the one PrepareLifeline
// made, else one made on first use; its write end is never closed. -1 if no pipe could be made
// (detached processes then have no lifeline).
int LifelineReadEnd() {
  static const int read_end = [] {
    // "<fd>:<inode>": a program exec'd from this one inherits the variable but not the
    // descriptor (close-on-exec), and the number may name another file there.
    if (const char* shared = getenv(kLifelineReadEndVariable); shared != nullptr) {
      int fd = -1;
      unsigned long long inode = 0;
      struct stat info;
      if (sscanf(shared, "%d:%llu", &fd, &inode) == 2 && fd > 2 && fstat(fd, &info) == 0 &&
          S_ISFIFO(info.st_mode) && static_cast<unsigned long long>(info.st_ino) == inode) {
        return fd;
      }
    }
    int fds[2];
    struct stat info;
    if (pipe2(fds, O_CLOEXEC) != 0 || fstat(fds[0], &info) != 0) return -1;
    setenv(kLifelineReadEndVariable,
           absl::StrCat(fds[0], ":", static_cast<unsigned long long>(info.st_ino)).c_str(), 1);
    return fds[0];
  }();
  return read_end;
}

// Reaps pid if it is our child; true when it has exited.
bool ReapIfChild(pid_t pid) {
  int status;
  pid_t got = waitpid(pid, &status, WNOHANG);
  return got == pid;
}

}  // namespace

void PrepareLifeline() { (void)LifelineReadEnd(); }

std::string ReadProcFile(pid_t pid, const char* name) {
  // Plain read(2): a process may vanish while its /proc files are read, and iostreams would
  // throw on that.
  std::string path = absl::StrCat("/proc/", pid, "/", name);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string content;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof(buffer))) > 0) content.append(buffer, n);
  close(fd);
  return content;
}

bool ProcessAlive(pid_t pid) {
  if (pid <= 0) return false;
  if (ReapIfChild(pid)) return false;
  if (kill(pid, 0) != 0) return false;
  std::string stat = ReadProcFile(pid, "stat");
  size_t close_paren = stat.rfind(')');
  return close_paren == std::string::npos || stat.size() < close_paren + 3 ||
         stat[close_paren + 2] != 'Z';
}

bool ProcessMatches(pid_t pid, const std::string& marker) {
  return ProcessAlive(pid) && ReadProcFile(pid, "cmdline").find(marker) != std::string::npos;
}

absl::StatusOr<LaunchedBoard> LaunchBoard(const LaunchOptions& options) {
  if (options.link_path.empty()) return absl::InvalidArgumentError("LaunchBoard: no link_path");
  std::string faults;
  google::protobuf::TextFormat::Printer printer;
  printer.SetSingleLineMode(true);
  printer.PrintToString(options.faults, &faults);
  std::vector<std::string> argv = {options.binary, absl::StrCat("--board=", options.board),
                                   absl::StrCat("--flash=", options.flash_path),
                                   absl::StrCat("--link=", options.link_path),
                                   absl::StrCat("--faults=", faults)};
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  unlink(options.link_path.c_str());
  absl::StatusOr<pid_t> pid = LaunchProcess(argv, options.log_path, options.link_path,
                                            options.detach, options.start_timeout);
  if (!pid.ok()) return pid.status();
  LaunchedBoard launched;
  launched.pid = *pid;
  launched.console = options.link_path;
  return launched;
}

absl::StatusOr<pid_t> LaunchProcess(const std::vector<std::string>& argv_in,
                                    const std::string& log_path, const std::string& wait_for_path,
                                    bool detach, absl::Duration start_timeout) {
  if (argv_in.empty()) return absl::InvalidArgumentError("LaunchProcess: empty argv");
  if (access(argv_in[0].c_str(), X_OK) != 0) {
    return absl::NotFoundError(
        absl::StrCat("program ", argv_in[0], " is not executable: ", strerror(errno)));
  }
  process::CommandOptions options;
  options.argv = argv_in;
  options.stdout_path = "/dev/null";
  options.stderr_path = log_path.empty() ? "/dev/null" : log_path;
  options.append = true;
  options.env_unset = {kLifelineVariable, process::kKeepAfterCallVariable};
  // Detached: its own session, reparented away, no parent-death signal; attached: StartCommand's
  // default (own process group, SIGKILL when the calling thread ends).
  options.detach = detach;
  if (detach) {
    // The lifeline as descriptor 3: the process outlives the call that starts it (a driver's
    // Start in its supervised child), not the campaign.
    if (const int lifeline = LifelineReadEnd(); lifeline >= 0) {
      options.inherit_fds = {{3, lifeline}};
      options.env_set[kLifelineVariable] = "3";
    }
    options.env_set[process::kKeepAfterCallVariable] = process::kKeepAfterCallValue;
  }
  absl::StatusOr<process::StartedCommand> started = process::StartCommand(options);
  if (!started.ok()) return started.status();
  const pid_t launched = started->pid;
  const std::string& program = argv_in[0];
  absl::Time deadline = absl::Now() + start_timeout;
  struct stat info;
  while (lstat(wait_for_path.c_str(), &info) != 0) {
    if (!ProcessAlive(launched)) {
      return absl::InternalError(
          absl::StrCat(program, " exited during start; its log:\n", LogTail(log_path)));
    }
    if (absl::Now() > deadline) {
      (void)StopBoard(launched);
      return absl::DeadlineExceededError(
          absl::StrCat(program, " did not create ", wait_for_path, " within ",
                       absl::FormatDuration(start_timeout), "; its log:\n", LogTail(log_path)));
    }
    absl::SleepFor(absl::Milliseconds(2));
  }
  return launched;
}

absl::Status PowerCycleBoard(pid_t pid) {
  if (!ProcessAlive(pid)) {
    return absl::FailedPreconditionError(
        absl::StrCat("virtual board pid ", pid, " is not running"));
  }
  if (kill(pid, SIGHUP) != 0) {
    return absl::InternalError(absl::StrCat("kill(", pid, ", SIGHUP): ", strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status StopBoard(pid_t pid, absl::Duration grace) {
  if (!ProcessAlive(pid)) return absl::OkStatus();
  kill(pid, SIGTERM);
  absl::Time kill_at = absl::Now() + grace;
  bool killed = false;
  while (ProcessAlive(pid)) {
    if (!killed && absl::Now() > kill_at) {
      kill(pid, SIGKILL);
      killed = true;
    }
    if (killed && absl::Now() > kill_at + absl::Seconds(5)) {
      return absl::InternalError(absl::StrCat("virtual board pid ", pid, " survives SIGKILL"));
    }
    absl::SleepFor(absl::Milliseconds(2));
  }
  return absl::OkStatus();
}

}  // namespace mptest::firmware
