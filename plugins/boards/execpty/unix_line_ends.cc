// The unix port's line-end translation (see unix_line_ends.h).
#include "plugins/boards/execpty/unix_line_ends.h"

namespace mptest::boards {
namespace {

constexpr char kRawPasteRequest[] =
    "\x05"
    "A\x01";

}  // namespace

std::string UnixLineEnds::FromClient(absl::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (char c : bytes) {
    if (c == kRawPasteRequest[paste_request_matched_]) {
      if (++paste_request_matched_ == 3) {
        paste_request_matched_ = 0;
        paste_answer_ = PasteAnswer::kExpectR;
      }
    } else {
      paste_request_matched_ = c == kRawPasteRequest[0] ? 1 : 0;
    }
    const bool drop = c == '\n' && client_last_cr_;
    client_last_cr_ = c == '\r';
    if (!drop) out.push_back(c);
  }
  return out;
}

std::string UnixLineEnds::FromBoard(absl::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8);
  for (char c : bytes) {
    switch (paste_answer_) {
      case PasteAnswer::kExpectR:
        paste_answer_ = c == 'R' ? PasteAnswer::kExpectFlag : PasteAnswer::kNone;
        break;
      case PasteAnswer::kExpectFlag:
        paste_answer_ = c == '\x01' ? PasteAnswer::kWindowLow : PasteAnswer::kNone;
        out.push_back(c);
        board_last_cr_ = false;
        continue;
      case PasteAnswer::kWindowLow:
        paste_answer_ = PasteAnswer::kWindowHigh;
        out.push_back(c);
        continue;
      case PasteAnswer::kWindowHigh:
        paste_answer_ = PasteAnswer::kNone;
        out.push_back(c);
        continue;
      case PasteAnswer::kNone:
        break;
    }
    if (c == '\n' && !board_last_cr_) out.push_back('\r');
    out.push_back(c);
    board_last_cr_ = c == '\r';
  }
  return out;
}

}  // namespace mptest::boards
