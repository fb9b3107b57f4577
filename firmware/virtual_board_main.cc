// //firmware:virtual_board: a MicroPython board on a pseudo-terminal, for tests and for farms
// without hardware. See virtual_board.h for the behaviour and --help for the flags.
#include <stdio.h>
#include <stdlib.h>

#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "firmware/launcher.h"
#include "firmware/virtual_board.h"
#include "google/protobuf/text_format.h"

ABSL_FLAG(std::string, board, "VIRTUAL", "The board this is; images built for others do not boot.");
ABSL_FLAG(std::string, flash, "", "The flash file holding the firmware image (required).");
ABSL_FLAG(std::string, python, "/usr/bin/python3", "The CPython that executes code.");
ABSL_FLAG(std::string, link, "", "Keep a symlink at this path pointing to the current pty.");
ABSL_FLAG(bool, stdio, false, "Serve stdin/stdout (e.g. under execpty) instead of a new pty.");
ABSL_FLAG(std::string, faults, "",
          "mptest.proto.VirtualFaults in text format, e.g. 'seed: 7 garble_fraction: 0.01'.");
ABSL_FLAG(std::string, raw_paste, "",
          "How raw-paste requests are answered: supported, refused (R\\x00) or unknown (firmware "
          "older than 1.14). Default: --faults' raw_paste, else supported.");
ABSL_FLAG(int, raw_paste_window, 0,
          "Raw-paste window-size increment in bytes. Default: --faults' raw_paste_window, else "
          "128.");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Serves a pseudo-terminal as a MicroPython board (friendly REPL, raw REPL, raw paste).\n"
      "Announces 'mptest-virtual-board: pty /dev/pts/N pid P' on stderr. SIGHUP power-cycles\n"
      "(re-reads --flash), SIGTERM stops.");
  absl::ParseCommandLine(argc, argv);
  mptest::firmware::BoardOptions options;
  options.board = absl::GetFlag(FLAGS_board);
  options.flash_path = absl::GetFlag(FLAGS_flash);
  options.python = absl::GetFlag(FLAGS_python);
  options.link_path = absl::GetFlag(FLAGS_link);
  options.stdio = absl::GetFlag(FLAGS_stdio);
  if (const char* lifeline = getenv(mptest::firmware::kLifelineVariable); lifeline != nullptr) {
    options.lifeline_fd = atoi(lifeline);
    unsetenv(mptest::firmware::kLifelineVariable);  // not for the interpreter's children
  }
  if (options.flash_path.empty()) {
    fprintf(stderr, "virtual_board: --flash is required\n");
    return 2;
  }
  if (!google::protobuf::TextFormat::ParseFromString(absl::GetFlag(FLAGS_faults),
                                                     &options.faults)) {
    fprintf(stderr, "virtual_board: --faults is not a valid VirtualFaults text proto\n");
    return 2;
  }
  options.raw_paste_window = absl::GetFlag(FLAGS_raw_paste_window);
  if (options.raw_paste_window == 0) options.raw_paste_window = options.faults.raw_paste_window();
  if (options.raw_paste_window == 0) options.raw_paste_window = 128;
  if (options.raw_paste_window < 1 || options.raw_paste_window > 65535) {
    fprintf(stderr, "virtual_board: the raw-paste window must be in 1..65535\n");
    return 2;
  }
  std::string raw_paste = absl::GetFlag(FLAGS_raw_paste);
  if (raw_paste.empty()) raw_paste = options.faults.raw_paste();
  if (raw_paste.empty() || raw_paste == "supported") {
    options.raw_paste = mptest::firmware::RawPasteSupport::kSupported;
  } else if (raw_paste == "refused") {
    options.raw_paste = mptest::firmware::RawPasteSupport::kRefused;
  } else if (raw_paste == "unknown") {
    options.raw_paste = mptest::firmware::RawPasteSupport::kUnknown;
  } else {
    fprintf(stderr, "virtual_board: raw_paste must be supported, refused or unknown, not '%s'\n",
            raw_paste.c_str());
    return 2;
  }
  mptest::firmware::VirtualBoard board(std::move(options));
  return board.Run();
}
