// Makes MicroPython's unix port, run on a raw pty, look like a real board on the wire.
// Real boards "cook" printed output (every \n of print() goes out as \r\n) and take the bytes
// they receive as they are. The unix port leaves cooking to the terminal, so on a raw pty it
// prints a bare \n, and it reads every \n as \r (so a CRLF in pasted code becomes two line
// ends). UnixLineEnds translates both directions of the execpty relay:
//   - board -> client: a bare \n becomes \r\n; an existing \r\n (the REPL's own banners and
//     prompts) stays as it is, also when the \r and the \n come in separate reads; the answer
//     to a raw-paste request ("R\x01" and the two window-size bytes, which may be 0x0a) passes
//     untouched;
//   - client -> board: a \n right after a \r is dropped (the port reads the \r as the line
//     end, as the lexer reads CRLF), so CRLF source reaches the lexer as one line end.
// Raw-REPL control bytes (\x01-\x05, '>', "OK") are never altered.
#ifndef MPTEST_PLUGINS_BOARDS_EXECPTY_UNIX_LINE_ENDS_H_
#define MPTEST_PLUGINS_BOARDS_EXECPTY_UNIX_LINE_ENDS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace mptest::boards {

class UnixLineEnds {
 public:
  // Bytes the client sends, as the board should receive them.
  std::string FromClient(absl::string_view bytes);
  // Bytes the board sends, as the client should receive them.
  std::string FromBoard(absl::string_view bytes);
  // The command was restarted: forget the state of both streams.
  void Reset() { *this = UnixLineEnds(); }

 private:
  // Where the board is in its answer to a raw-paste request.
  enum class PasteAnswer { kNone, kExpectR, kExpectFlag, kWindowLow, kWindowHigh };

  bool client_last_cr_ = false;    // the last byte from the client was \r
  int paste_request_matched_ = 0;  // bytes of "\x05A\x01" seen in a row from the client
  bool board_last_cr_ = false;     // the last byte from the board was \r
  PasteAnswer paste_answer_ = PasteAnswer::kNone;
};

}  // namespace mptest::boards

#endif  // MPTEST_PLUGINS_BOARDS_EXECPTY_UNIX_LINE_ENDS_H_
