// RunCommand: run an external program (never through a shell) and wait for it, with a
// timeout that ends the program's whole process group, output drained while waiting, and a
// child that dies with its parent; StartCommand starts one beside the caller (in a session of
// its own, on a pty, or detached if asked). The building block for builders, flashers,
// harnesses, virtual boards and everything else that starts a program.
#ifndef MPTEST_CORE_PROCESS_SUBPROCESS_H_
#define MPTEST_CORE_PROCESS_SUBPROCESS_H_

#include <sys/types.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
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
  // stdout_path and stderr_path are appended to (a log several runs share) instead of truncated.
  bool append = false;
  // RunCommand only: called on the caller's thread with each line of the output (without its
  // newline) as it arrives, and with the last line when the command ends if it has no newline.
  // The output still goes where it would without it: to stdout_path (RunCommand copies it
  // there) or into CommandResult::output.
  std::function<void(absl::string_view line)> on_line;

  // Descriptors the child gets from the caller: child descriptor number -> the caller's
  // descriptor (which may be close-on-exec; it stays open in the caller). Applied after stdin,
  // stdout and stderr are set up, so {0, fd} or {2, 2} replace them (a pipe as stdin; the
  // caller's own stderr). Every other descriptor is closed, as always.
  std::map<int, int> inherit_fds;
  // Process grouping. Default: the child leads a new process group. new_session: it leads a
  // new session (setsid) instead, without a controlling terminal unless controlling_tty is set.
  bool new_session = false;
  // A terminal (a pty slave, say) that becomes the child's stdin, stdout, stderr and, in a new
  // session, its controlling terminal (TIOCSCTTY): a program that needs a console of its own.
  // Implies new_session. Not with stdin_data, stdin_path, stdout_path or stderr_path.
  int controlling_tty = -1;
  // SIGKILL when the calling thread ends (PR_SET_PDEATHSIG). false: the child may outlive the
  // caller (it must then be ended some other way, e.g. a lifeline pipe in inherit_fds).
  bool parent_death_signal = true;
  // StartCommand only: the command runs detached, in a new session of which it is not the
  // leader (so it can never acquire a controlling terminal), reparented away from the caller
  // (a double fork: the intermediate child exits at once and is reaped here), without a
  // parent-death signal: it outlives the caller, which must not reap it. StartedCommand::pid
  // is the command's pid; its process group is the intermediate's, so end it by its pid.
  bool detach = false;
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
// descriptors 0-2, default signals, stdin /dev/null, all as the options say) and returns once
// execve has succeeded, for a command that runs beside the caller (a log follower, an srun, a
// virtual board). The caller reads output_fd (-1 when stdout_path or controlling_tty is set),
// ends the group (kill(-pid, ...)) and reaps pid (unless detach). stdin_data and timeout must
// be left unset. Errors as RunCommand's for a command that cannot be started.
// The one way this project starts a program: every site that runs one uses RunCommand or this.
absl::StatusOr<StartedCommand> StartCommand(const CommandOptions& options);

// The name of a signal with its SIG prefix ("SIGSEGV"), or "signal 77" if it has none.
std::string SignalName(int signal_number);

}  // namespace mptest::process

#endif  // MPTEST_CORE_PROCESS_SUBPROCESS_H_
