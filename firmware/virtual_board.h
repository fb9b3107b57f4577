// The virtual board: serves one console (a pty it creates, or its own stdin/stdout) as a
// MicroPython board. It boots the image in its flash file, runs code in a persistent CPython
// interpreter, and injects the faults of proto::VirtualFaults deterministically from their seed.
// SIGHUP power-cycles it (re-reads flash and reboots); SIGTERM/SIGINT end it.
#ifndef MPTEST_FIRMWARE_VIRTUAL_BOARD_H_
#define MPTEST_FIRMWARE_VIRTUAL_BOARD_H_

#include <stdint.h>

#include <memory>
#include <random>
#include <string>

#include "absl/time/time.h"
#include "core/proto/board.pb.h"
#include "core/pty/pty.h"
#include "firmware/line_pacer.h"
#include "firmware/python_interpreter.h"
#include "firmware/repl_machine.h"

namespace mptest::firmware {

struct BoardOptions {
  std::string board;       // the board this "hardware" is; images for others do not boot
  std::string flash_path;  // the flash: an image written by the virtual builder
  std::string python = "/usr/bin/python3";
  std::string link_path;  // a symlink kept pointing at the current pty ("" = none)
  // The read end of the lifeline of the process that started this board (launcher.h,
  // kLifelineVariable), or -1: end-of-file there stops the board at once.
  int lifeline_fd = -1;
  bool stdio = false;  // serve stdin/stdout instead of a new pty
  proto::VirtualFaults faults;
  RawPasteSupport raw_paste = RawPasteSupport::kSupported;
  int raw_paste_window = 128;
};

class VirtualBoard : public ReplHost {
 public:
  explicit VirtualBoard(BoardOptions options);
  ~VirtualBoard() override;

  // Serves until SIGTERM/SIGINT (exit status 0) or a setup failure (non-zero, logged).
  int Run();

  // ReplHost:
  void Emit(absl::string_view bytes) override;
  void Execute(const std::string& code, bool friendly) override;
  void SoftReset() override;
  void Interrupt() override;

 private:
  enum class State { kUnbootable, kBooting, kRunning, kHung, kDropped };
  // What a ReplHost callback decided but must not do while the machine is on the call stack.
  enum class Deferred { kNone, kDropLine, kReboot };

  bool OpenConsole();
  void Boot();
  void DropLine();
  void RunDeferred();
  void PumpInput(size_t max_bytes);
  void PumpInterpreter();
  void PumpOutput();
  int PollTimeoutMs() const;
  double Roll();  // the next deterministic number in [0, 1)

  BoardOptions options_;
  std::mt19937_64 rng_;
  State state_ = State::kUnbootable;
  Deferred deferred_ = Deferred::kNone;
  pty::UniqueFd master_;  // pty mode: our end; the slave stays open so readers never see EIO
  pty::UniqueFd slave_;
  int in_fd_ = -1;
  int out_fd_ = -1;
  PythonInterpreter interpreter_;
  std::unique_ptr<ReplMachine> machine_;
  absl::Time boot_done_ = absl::InfinitePast();
  bool interpreter_booted_ = false;  // it said it is ready since the last boot
  int executions_ = 0;
  bool reset_this_execution_ = false;
  std::string held_stdout_;
  std::string out_queue_;
  LinePacer input_pacer_;   // the slow-line fault, host -> board
  LinePacer output_pacer_;  // and board -> host
};

}  // namespace mptest::firmware

#endif  // MPTEST_FIRMWARE_VIRTUAL_BOARD_H_
