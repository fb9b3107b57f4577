// The "execpty" tentacle type: a tentacle whose console is a command on a pty, like
// run-tests.py's execpty: (MicroPython's unix port, qemu with -serial pty, the virtual board
// with --stdio). The inventory entry's `command` is the argv; {firmware} in it becomes the path
// of the flashed firmware (a copy in the tentacle's state directory), each argument stays one
// argument, and no shell is involved. The command runs under execpty_relay (pty_relay.h), which
// keeps the console at <state_dir>/tty and restarts the command as a soft or hard reset.
// tags["console"]: "stdio" (default; the command's console is the board's REPL) or "announced"
// (the command prints the /dev/pts/N it serves, as qemu -serial pty does).
// tags["line_ends"]: "unix" (default with console "stdio": the command is MicroPython's unix
// port, whose bare \n line ends the relay sends as a real board's \r\n; see unix_line_ends.h)
// or "board" (default with "announced": bytes pass as they are).
#ifndef MPTEST_PLUGINS_BOARDS_EXECPTY_EXECPTY_DRIVER_H_
#define MPTEST_PLUGINS_BOARDS_EXECPTY_EXECPTY_DRIVER_H_

#include <string>

#include "core/api/board_driver.h"

namespace mptest::boards {

class ExecPtyDriver : public BoardDriver {
 public:
  // Finds execpty_relay: $MPTEST_EXECPTY_RELAY, next to this library or program, or in Bazel
  // runfiles (plugins/boards/execpty/execpty_relay).
  ExecPtyDriver();
  explicit ExecPtyDriver(std::string relay_binary);

  absl::Status Initialize();

  // Entries need a non-empty command; tags["firmware"] may name an initial firmware file.
  absl::StatusOr<proto::DiscoverResponse> Discover(const proto::DiscoverRequest& request) override;
  // Starts the relay and the command. A command using {firmware} needs a firmware first
  // (flashed, or tags["firmware"]): FailedPrecondition otherwise.
  absl::StatusOr<proto::Tentacle> Start(const proto::Tentacle& tentacle) override;
  // Restarts the command (SIGHUP to the relay).
  absl::Status PowerCycle(const proto::Tentacle& tentacle) override;
  // Copies the firmware into the state directory (keeping its mode bits, so an executable stays
  // one), restarts the command, and waits until the console answers the raw REPL.
  absl::Status Flash(const proto::FlashRequest& request) override;
  absl::Status Stop(const proto::Tentacle& tentacle) override;

 private:
  std::string relay_;
};

}  // namespace mptest::boards

#endif  // MPTEST_PLUGINS_BOARDS_EXECPTY_EXECPTY_DRIVER_H_
