// Starts and stops virtual_board processes: used by the virtual board driver (detached boards
// that outlive the caller) and by tests (boards that die with the test).
#ifndef MPTEST_FIRMWARE_LAUNCHER_H_
#define MPTEST_FIRMWARE_LAUNCHER_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/proto/board.pb.h"

namespace mptest::firmware {

struct LaunchOptions {
  std::string binary;      // the virtual_board executable
  std::string board;       // --board
  std::string flash_path;  // --flash
  std::string link_path;   // --link: the console path clients open (required)
  std::string log_path;    // the board's stderr (appended)
  proto::VirtualFaults faults;
  std::vector<std::string> extra_args;  // e.g. --raw_paste=refused
  // Detached boards run in their own session, reparented to init, and outlive the calling
  // thread (but not this process: see kLifelineVariable); attached ones get SIGKILL when the
  // calling thread ends and must be reaped by StopBoard.
  bool detach = false;
  absl::Duration start_timeout = absl::Seconds(10);
};

struct LaunchedBoard {
  pid_t pid = -1;
  std::string console;  // = link_path, once the board created it
};

// A detached process gets descriptor 3 open on the read end of this process's lifeline, a pipe
// whose write end only this process (and its forked children, which die with it) holds, and
// this variable set to "3": it reads end-of-file there the moment this process is gone,
// however it ended (kill -9 included), and should then stop. The virtual board does.
inline constexpr char kLifelineVariable[] = "MPTEST_LIFELINE_FD";

// Makes this process's lifeline now: a campaign calls it before it forks test runs, so that a
// board a test run starts (an execpty tentacle's first flash) lives as long as the campaign,
// not as long as that run's child.
void PrepareLifeline();

// Starts argv[0] (a path) with stdin/stdout on /dev/null and stderr appended to log_path, then
// waits until wait_for_path exists (the program creates it once it serves). detach as in
// LaunchOptions (with the lifeline; process::StartCommand's detach). Returns the pid. Errors name
// the program and include the end of its log.
absl::StatusOr<pid_t> LaunchProcess(const std::vector<std::string>& argv,
                                    const std::string& log_path, const std::string& wait_for_path,
                                    bool detach, absl::Duration start_timeout);

// Starts the board and waits until its console link exists. Errors name the binary and
// include the end of the board's log.
absl::StatusOr<LaunchedBoard> LaunchBoard(const LaunchOptions& options);

// SIGHUP: the board re-reads its flash and reboots.
absl::Status PowerCycleBoard(pid_t pid);

// SIGTERM, then SIGKILL after `grace`; waits until the process is gone (reaping it when it is
// our child). OK when it is already gone.
absl::Status StopBoard(pid_t pid, absl::Duration grace = absl::Seconds(2));

// True while a process with this pid exists and is not a zombie.
bool ProcessAlive(pid_t pid);

// True when ProcessAlive(pid) and its command line contains `marker` (guards against pid reuse).
bool ProcessMatches(pid_t pid, const std::string& marker);

// The content of /proc/<pid>/<name>, "" if it cannot be read (the process is gone).
std::string ReadProcFile(pid_t pid, const char* name);

}  // namespace mptest::firmware

#endif  // MPTEST_FIRMWARE_LAUNCHER_H_
