// A pure parser for the board's answer to one raw-REPL execution:
//   "OK" stdout "\x04" stderr "\x04" ">"        (plain raw mode)
//   stdout "\x04" stderr "\x04" ">"             (raw-paste mode, after the board's "\x04" ack)
// It takes bytes in any split, never blocks and never reads past the prompt, so the REPL client
// can feed it whatever a read returned and a fuzzer can feed it anything.
#ifndef MPTEST_CORE_REPL_RESPONSE_PARSER_H_
#define MPTEST_CORE_REPL_RESPONSE_PARSER_H_

#include <stddef.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace mptest::repl {

// Printable rendering of board bytes for error messages: control bytes as \xNN, at most
// `max` characters (the tail when longer).
std::string EscapeBytes(absl::string_view bytes, size_t max = 120);

class ResponseParser {
 public:
  enum class State { kAwaitOk, kStdout, kStderr, kAwaitPrompt, kDone, kFailed };

  struct Limits {
    size_t max_noise_before_ok = 4096;  // echo or garbage tolerated before "OK"
    size_t max_output = 64 << 20;       // stdout + stderr
  };

  // expect_ok: plain raw mode (true) or raw paste after the ack (false).
  explicit ResponseParser(bool expect_ok) : ResponseParser(expect_ok, Limits()) {}
  ResponseParser(bool expect_ok, Limits limits);

  // Consumes bytes up to the end of the response; returns how many were used (the rest belong
  // to whatever follows). Consumes nothing once done or failed.
  size_t Feed(absl::string_view bytes);

  State state() const { return state_; }
  bool finished() const { return state_ == State::kDone || state_ == State::kFailed; }
  // OK while the response is well-formed so far; otherwise why it is not:
  //   DataLoss: bytes that cannot be this protocol (no "OK", a wrong prompt byte)
  //   Aborted: the board rebooted in the middle (its boot banner or soft-reboot line appeared)
  //   ResourceExhausted: more output than the limit
  const absl::Status& status() const { return status_; }
  const std::string& stdout_text() const { return stdout_; }
  const std::string& stderr_text() const { return stderr_; }
  // Bytes skipped before "OK" (echo, boot noise).
  const std::string& noise() const { return noise_; }
  // True when the response ended with "MPY: soft reboot" (older firmware: "soft reboot") where
  // the '>' prompt belongs: the code raised SystemExit, which ends a board's raw REPL loop, and
  // the board soft-resets and comes back at the raw prompt. The state is then kDone.
  bool soft_rebooted() const { return soft_rebooted_; }

 private:
  void Fail(absl::Status status);
  bool LooksLikeReboot(const std::string& text) const;

  Limits limits_;
  State state_;
  absl::Status status_;
  std::string stdout_;
  std::string stderr_;
  std::string noise_;
  std::string after_response_;  // what came where the prompt belongs
  bool soft_rebooted_ = false;
};

// True when text ends with the raw REPL banner and prompt, as real boards send it
// ("raw REPL; CTRL-B to exit\r\n>") or as the unix port on a pty does ("...exit\r\r\n>").
bool EndsWithRawPrompt(absl::string_view text);

}  // namespace mptest::repl

#endif  // MPTEST_CORE_REPL_RESPONSE_PARSER_H_
