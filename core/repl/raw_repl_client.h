// A native raw-REPL client: drives a MicroPython board over a tty/pty file descriptor the way
// pyboard.py and mpremote do (raw REPL, raw paste with fallback, soft reset, interrupt), with a
// deadline on every read, so garbage, echo, a reset or a vanished board is an error, never a hang.
#ifndef MPTEST_CORE_REPL_RAW_REPL_CLIENT_H_
#define MPTEST_CORE_REPL_RAW_REPL_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/proto/board.pb.h"
#include "core/pty/pty.h"

namespace mptest::repl {

// What one execution printed.
struct ExecResult {
  std::string stdout_text;     // as the board sent it (\r\n line ends)
  std::string stderr_text;     // the traceback, empty when the code raised nothing
  bool soft_rebooted = false;  // the code raised SystemExit: the board soft-reset afterwards
  bool raised() const { return !stderr_text.empty(); }
};

// What a board says it is (from sys.implementation, sys.version and, for old firmware, the
// banner).
struct BoardVersion {
  std::string identity;     // what mptest compares with a firmware's version (firmware_identity.h)
  std::string version;      // "v1.29.0-preview.731.g1c3c201149": the tag after "MicroPython "
  std::string build;        // sys.implementation._build, "" when the firmware has none
  std::string machine;      // sys.implementation._machine, e.g. "mps2-an385 with Cortex-M3"
  std::string sys_version;  // sys.version as printed
};

struct ClientOptions {
  bool use_raw_paste = true;       // try raw paste first; fall back when refused
  size_t plain_chunk_bytes = 256;  // plain raw mode: write this much...
  absl::Duration plain_chunk_delay = absl::Milliseconds(10);  // ...then wait this long
  absl::Duration drain_quiet = absl::Milliseconds(50);        // input is drained until quiet
};

class RawReplClient {
 public:
  // How the board answered the raw-paste request, once asked.
  enum class RawPaste { kUntried, kSupported, kUnsupported };

  // Uses fd (a tty set raw) without owning it.
  explicit RawReplClient(int fd, ClientOptions options = {});
  // Opens a tty path (set raw, at baud if non-zero) and owns it.
  static absl::StatusOr<std::unique_ptr<RawReplClient>> Open(const std::string& path, int baud = 0,
                                                             ClientOptions options = {});
  // Opens a board's console at the board definition's baud rate and raw-REPL pacing.
  static absl::StatusOr<std::unique_ptr<RawReplClient>> OpenBoard(
      const std::string& path, const proto::BoardDefinition& board);

  // Stops running code (\r\x03\x03), drains input, sends \r\x01 and waits for the raw banner.
  absl::Status EnterRawRepl(absl::Time deadline);
  // Runs code at the raw prompt and returns its output. A traceback is a result, not an error.
  // Errors: FailedPrecondition (not in raw mode), DeadlineExceeded (no complete answer in time;
  // the message includes what arrived; code still running is interrupted), Unavailable (the
  // line is gone), Aborted (the board rebooted), DataLoss (bytes that are not the protocol).
  // After any error the client is out of raw mode: call EnterRawRepl again.
  absl::StatusOr<ExecResult> Execute(absl::string_view code, absl::Time deadline);
  // Ctrl-D at the raw prompt: the board soft-reboots and comes back to the raw prompt.
  absl::Status SoftReset(absl::Time deadline);
  // Sends Ctrl-C (twice) and drains; leaves the client out of raw mode.
  absl::Status Interrupt(absl::Time deadline);
  // \r\x02: back to the friendly REPL; waits for its prompt.
  absl::Status ExitRawRepl(absl::Time deadline);
  // Executes a short program reading sys.implementation and sys.version; on firmware whose
  // sys.version has no release (before v1.10) also reads the banner (Ctrl-B, then back to raw).
  absl::StatusOr<BoardVersion> ReadVersion(absl::Time deadline);

  bool in_raw_repl() const { return in_raw_repl_; }
  RawPaste raw_paste() const { return raw_paste_; }
  const ClientOptions& options() const { return options_; }
  int fd() const { return fd_; }

 private:
  absl::Status Write(absl::string_view bytes, absl::Time deadline);
  // Waits for more bytes (into pending_); errors say what was awaited and what arrived.
  absl::Status ReadMore(absl::Time deadline, absl::string_view waiting_for);
  // Reads until the received bytes end with one of the suffixes; returns them all.
  absl::StatusOr<std::string> ReadUntil(std::initializer_list<absl::string_view> suffixes,
                                        absl::Time deadline, absl::string_view waiting_for);
  absl::StatusOr<std::string> ReadExactly(size_t count, absl::Time deadline,
                                          absl::string_view waiting_for);
  // Raw paste: Ok(true) sent, Ok(false) board does not support it (now at the raw prompt).
  absl::StatusOr<bool> TryRawPaste(absl::string_view code, absl::Time deadline);
  absl::Status WritePlain(absl::string_view code, absl::Time deadline);
  absl::StatusOr<ExecResult> ReadResponse(bool expect_ok, absl::Time deadline);
  absl::Status Lost(absl::Status status);  // leaves raw mode and returns status

  pty::UniqueFd owned_;
  int fd_;
  ClientOptions options_;
  bool in_raw_repl_ = false;
  RawPaste raw_paste_ = RawPaste::kUntried;
  std::string pending_;  // bytes read but not yet consumed
};

}  // namespace mptest::repl

#endif  // MPTEST_CORE_REPL_RAW_REPL_CLIENT_H_
