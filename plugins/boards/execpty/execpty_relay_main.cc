// //plugins/boards/execpty:execpty_relay: serves a command's pty console on a stable pty link.
//   execpty_relay --link=PATH [--norestart] [--announced_pty] [--unix_line_ends] -- COMMAND...
#include <stdio.h>
#include <stdlib.h>

#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/time.h"
#include "firmware/launcher.h"
#include "plugins/boards/execpty/pty_relay.h"

ABSL_FLAG(std::string, link, "", "Symlink kept pointing at the pty clients open (required).");
ABSL_FLAG(bool, restart, true, "Restart the command when it exits (unix-port soft reset).");
ABSL_FLAG(bool, announced_pty, false,
          "Serve the /dev/pts/N the command prints (qemu -serial pty) instead of its console.");
ABSL_FLAG(absl::Duration, pause_when_unwatched, absl::InfiniteDuration(),
          "Stop the command while no client has the console open for this long (an emulator "
          "spinning at a whole core while idle); continue it when one opens it.");
ABSL_FLAG(bool, unix_line_ends, false,
          "The command is MicroPython's unix port: send its bare \\n line ends as \\r\\n, as "
          "a real board does, and its input CRLF as one line end.");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Runs a command on a pty and serves its console on another pty.\n"
      "usage: execpty_relay --link=PATH [--norestart] [--announced_pty] [--unix_line_ends] -- "
      "COMMAND [ARGS...]");
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  mptest::boards::RelayOptions options;
  options.link_path = absl::GetFlag(FLAGS_link);
  options.restart_on_exit = absl::GetFlag(FLAGS_restart);
  options.announced_pty = absl::GetFlag(FLAGS_announced_pty);
  options.unix_line_ends = absl::GetFlag(FLAGS_unix_line_ends);
  options.pause_when_unwatched = absl::GetFlag(FLAGS_pause_when_unwatched);
  if (const char* lifeline = getenv(mptest::firmware::kLifelineVariable); lifeline != nullptr) {
    options.lifeline_fd = atoi(lifeline);
  }
  options.argv.assign(rest.begin() + 1, rest.end());
  if (options.link_path.empty() || options.argv.empty()) {
    fprintf(stderr, "execpty_relay: --link and a command are required\n");
    return 2;
  }
  mptest::boards::PtyRelay relay(std::move(options));
  return relay.Run();
}
