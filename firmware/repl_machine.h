// The virtual board's REPL as a state machine over bytes: friendly REPL (prompt, line editing,
// Ctrl-A/B/C/D/E, paste mode), raw REPL and raw-paste mode with window flow control, matching
// MicroPython's pyexec.c byte for byte. It does no I/O: the board (virtual_board_main.cc) feeds
// it input and execution results, and it asks the board to emit bytes, run code and reset.
#ifndef MPTEST_FIRMWARE_REPL_MACHINE_H_
#define MPTEST_FIRMWARE_REPL_MACHINE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace mptest::firmware {

// What the machine needs from the board around it.
class ReplHost {
 public:
  virtual ~ReplHost() = default;
  // Bytes for the console, in order.
  virtual void Emit(absl::string_view bytes) = 0;
  // Runs code; the board later calls OnExecutionOutput (any number of times) and then
  // OnExecutionDone exactly once. `friendly`: a REPL line whose expression values are echoed.
  virtual void Execute(const std::string& code, bool friendly) = 0;
  // Clears the interpreter's state; the board later calls OnSoftResetDone.
  virtual void SoftReset() = 0;
  // Ctrl-C arrived while code runs.
  virtual void Interrupt() = 0;
};

// How the board answers the raw-paste request (\x05A\x01 at the raw prompt).
enum class RawPasteSupport {
  kSupported,  // R\x01, window size, then \x01 per window (MicroPython 1.14+)
  kRefused,    // R\x00: understood, not supported
  kUnknown,    // firmware older than 1.14: treats it as Ctrl-A (raw REPL banner again)
};

struct ReplOptions {
  std::string banner;            // VirtualImage::Banner()
  bool refuse_raw_mode = false;  // Ctrl-A does nothing (a fault)
  RawPasteSupport raw_paste = RawPasteSupport::kSupported;
  int raw_paste_window = 128;  // window-size increment, as the qemu board
};

class ReplMachine {
 public:
  enum class Mode { kFriendly, kPaste, kRaw, kRawPaste };

  ReplMachine(ReplHost* host, ReplOptions options);

  // Hard reset: forgets everything and prints the boot banner and the friendly prompt.
  void Boot();
  void OnInput(absl::string_view bytes);
  void OnExecutionOutput(absl::string_view stdout_bytes);
  void OnExecutionDone(absl::string_view traceback);
  // The code raised SystemExit: the execution ends and the board soft-reboots (pyexec.c's
  // PYEXEC_FORCED_EXIT), so the raw REPL sends "\x04\x04" and then "MPY: soft reboot".
  void OnExecutionSystemExit();
  void OnSoftResetDone();

  Mode mode() const { return mode_; }
  bool busy() const { return busy_ != Busy::kIdle; }

 private:
  enum class Busy { kIdle, kExecuting, kResetting };

  void HandleByte(char c);
  void FriendlyByte(char c);
  void PasteByte(char c);
  void RawByte(char c);
  void RawPasteByte(char c);
  void StartExecution(const std::string& code, bool friendly);
  void StartSoftReset();
  void EmitCooked(absl::string_view text);  // \n -> \r\n, as MicroPython's stdout
  void EmitRawBanner();

  ReplHost* host_;
  ReplOptions options_;
  Mode mode_ = Mode::kFriendly;
  Busy busy_ = Busy::kIdle;
  bool executing_friendly_ = false;
  std::string line_;           // the line being edited / the raw program being received
  std::string block_;          // friendly REPL: a compound statement being continued
  std::string pending_input_;  // input that arrived while busy
  int window_remain_ = 0;
};

}  // namespace mptest::firmware

#endif  // MPTEST_FIRMWARE_REPL_MACHINE_H_
