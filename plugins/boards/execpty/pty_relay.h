// The execpty relay: runs a command whose console is a pty (MicroPython's unix port, qemu with
// a pty serial, the virtual board with --stdio, ...) and serves it on a second pty that REPL
// clients open through a stable link. It outlives the driver calls that start it, restarts
// the command when it exits (the unix port exits on a soft reset: the relay reports that as
// "MPY: soft reboot" and re-enters the raw REPL when the client was in it), and restarts it on
// SIGHUP (a power cycle). SIGTERM ends the command and the relay. A restart costs what starting
// the command costs (a few ms for the unix port); only a command that keeps dying on its own is
// restarted with a growing delay.
#ifndef MPTEST_PLUGINS_BOARDS_EXECPTY_PTY_RELAY_H_
#define MPTEST_PLUGINS_BOARDS_EXECPTY_PTY_RELAY_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/pty/pty.h"
#include "plugins/boards/execpty/unix_line_ends.h"

namespace mptest::boards {

struct RelayOptions {
  std::vector<std::string> argv;  // the command, never run through a shell
  std::string link_path;          // symlink to the client-side pty
  bool restart_on_exit = true;    // false: the relay ends when the command does
  // The command makes its own pty and prints its path (qemu -serial pty: "char device
  // redirected to /dev/pts/N"; the virtual board without --stdio): the relay serves that pty
  // instead of the command's console, whose output goes to the relay's log.
  bool announced_pty = false;
  absl::Duration announce_timeout = absl::Seconds(10);
  absl::Duration raw_reentry_timeout = absl::Seconds(10);
  // The command is MicroPython's unix port on a raw pty: translate its line ends to a real
  // board's (unix_line_ends.h).
  bool unix_line_ends = false;
  // A command that exits on its own (nothing sent to it since it started) within a second is
  // restarted after this delay, doubled on each such exit up to max_restart_delay. A command
  // that exits because of what the client sent (the unix port's soft reset) restarts at once.
  absl::Duration restart_delay = absl::Milliseconds(50);
  absl::Duration max_restart_delay = absl::Seconds(2);
  // Stop (SIGSTOP) the command's process group once no client has had the console open for
  // this long, and continue it (SIGCONT) the moment one opens it: an emulator that spins at a
  // whole core while idle (qemu's MPS2 boards) costs nothing between test runs. Opens and
  // closes of the client pty are watched with inotify. Infinite: never pause.
  absl::Duration pause_when_unwatched = absl::InfiniteDuration();
  // The read end of the lifeline of the process that started the relay (firmware/launcher.h):
  // end of file there means that process is gone, however it ended, and the relay stops. -1:
  // none.
  int lifeline_fd = -1;
};

class PtyRelay {
 public:
  explicit PtyRelay(RelayOptions options) : options_(std::move(options)) {}
  ~PtyRelay();

  // Serves until SIGTERM/SIGINT (0), the command's exit without restart (its exit status), or
  // a setup failure (2). Logs to stderr.
  int Run();

 private:
  bool StartCommand();
  // announced_pty mode: waits for the command to print /dev/pts/N and opens it.
  bool OpenAnnouncedPty();
  void StopCommand();
  // After a restart in raw mode: enter the raw REPL on the new command, swallowing its banner.
  bool ReenterRawRepl();
  void ToClient(absl::string_view bytes);
  // Output of the board, translated when unix_line_ends is set.
  void BoardToClient(absl::string_view bytes);
  // Restarts the command after it ended with wait status `status`: false when it cannot be
  // started. The client is told how: an exit is the unix port's soft reset ("MPY: soft
  // reboot"); death by a signal is a crash (a killed emulator), named as such, so that a client
  // in the middle of a response sees a reboot, not a clean reset.
  bool Restart(int status);
  // Reads the inotify events of the client pty: counts its openers, continues a paused
  // command when one opens it.
  void ReadOpenEvents();
  void Pause();
  void Resume();
  // The descriptor the board's REPL is on: the announced pty or the command's console.
  int board_fd() const { return announced_.valid() ? announced_.get() : command_master_.get(); }

  RelayOptions options_;
  pty::UniqueFd client_master_;
  pty::UniqueFd client_slave_;  // kept open so the client side never reads EIO
  pty::UniqueFd command_master_;
  pty::UniqueFd announced_;  // announced_pty mode: the pty the command printed
  pid_t command_pid_ = -1;
  absl::Time command_started_;
  bool client_in_raw_ = false;
  bool client_wrote_since_start_ = false;
  absl::Duration next_restart_delay_;
  pty::UniqueFd watch_;  // inotify on the client pty, when pausing is on
  int openers_ = 0;      // clients that have the console open now
  absl::Time unwatched_since_ = absl::InfiniteFuture();  // since openers_ became 0
  bool paused_ = false;
  UnixLineEnds line_ends_;
};

}  // namespace mptest::boards

#endif  // MPTEST_PLUGINS_BOARDS_EXECPTY_PTY_RELAY_H_
