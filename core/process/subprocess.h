// RunCommand: run an external program (never through a shell) and wait for it, with a
// timeout that ends the program's whole process group, output drained while waiting, and a
// child that dies with its parent. The building block for builders, flashers and harnesses.
#ifndef MPTEST_CORE_PROCESS_SUBPROCESS_H_
#define MPTEST_CORE_PROCESS_SUBPROCESS_H_

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace mptest::process {

struct CommandOptions {
  // argv[0] is looked up on PATH (the child's PATH if env_set overrides it) when it has no '/'.
  // The program is executed directly: no shell, no word splitting, no globbing.
  std::vector<std::string> argv;
  std::string cwd;                             // empty = inherit the caller's directory
  std::map<std::string, std::string> env_set;  // variables added or overridden
  std::vector<std::string> env_unset;          // variables removed (applied before env_set)
  // Empty: stdout and stderr are captured together into CommandResult::output. Otherwise both
  // go to this file (created or truncated, mode 0644) and output stays empty.
  std::string stdout_path;
  std::string stdin_data;  // written to the child's stdin; empty = stdin is /dev/null
  std::string stdin_path;  // or: the child's stdin is this file (not with stdin_data)
  // The child's stderr goes to this file (created or truncated, mode 0644) instead of joining
  // stdout: the output (or StartedCommand::output_fd) then carries stdout alone.
  std::string stderr_path;
  // Wall-clock limit. On expiry SIGTERM goes to the child's process group, and SIGKILL follows
  // after kill_grace if the child is still alive.
  absl::Duration timeout = absl::InfiniteDuration();
  absl::Duration kill_grace = absl::Seconds(2);
};

struct CommandResult {
  int exit_code = -1;   // -1 when killed by a signal
  int term_signal = 0;  // the signal that ended the child, 0 if it exited
  bool core_dumped = false;
  bool timed_out = false;
  absl::Duration timeout;  // the limit that expired, when timed_out
  std::string output;      // merged stdout+stderr when stdout_path is empty

  bool ok() const { return exit_code == 0 && !timed_out; }
  // "exited 0", "exited 3", "killed by SIGSEGV (core dumped)", "timed out after 5s".
  std::string Describe() const;
};

// Runs the command and waits for it. The child:
//  - runs in its own process group (so a timeout or the caller's Ctrl-C handling can end every
//    process it started, and a terminal's Ctrl-C does not reach it directly);
//  - gets SIGKILL if the calling thread dies (PR_SET_PDEATHSIG);
//  - inherits no descriptor but 0, 1 and 2, and starts with default signal dispositions and
//    an empty signal mask.
// When the child exits, anything still running in its process group (a background grandchild
// holding the output pipe, say) is killed with SIGKILL, so RunCommand never hangs on a
// grandchild and never leaks one.
// Returns an error only if the command could not be started: argv empty, argv[0] not found or
// not executable (the message names it and gives the errno text), cwd missing, stdout_path not
// writable, or a system call failing. A non-zero exit, a signal or a timeout is a result.
// Thread-safe: several threads may run commands at once.
absl::StatusOr<CommandResult> RunCommand(const CommandOptions& options);

// A command StartCommand started: `pid` leads its own process group; `output_fd` (owned by
// the caller, close-on-exec, non-blocking: poll before reading) carries its merged stdout and
// stderr.
struct StartedCommand {
  pid_t pid = -1;
  int output_fd = -1;
};

// Starts the command exactly as RunCommand does (own process group, parent-death signal, only
// descriptors 0-2, default signals, stdin /dev/null) and returns once execve has succeeded,
// for a command that runs beside the caller (a log follower, an srun). The caller reads
// output_fd, ends the group (kill(-pid, ...)) and reaps pid. stdout_path, stdin_data and timeout
// must be left unset (stdin_path and stderr_path may be set). Errors as RunCommand's for a command that cannot be started.
absl::StatusOr<StartedCommand> StartCommand(const CommandOptions& options);

// The name of a signal with its SIG prefix ("SIGSEGV"), or "signal 77" if it has none.
std::string SignalName(int signal_number);

}  // namespace mptest::process

#endif  // MPTEST_CORE_PROCESS_SUBPROCESS_H_
