// The raw-REPL response parser (see response_parser.h).
#include "core/repl/response_parser.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace mptest::repl {
namespace {

constexpr absl::string_view kBootPrompt = "for more information.\r\n>>> ";
constexpr absl::string_view kSoftReboot = "soft reboot\r\n";
constexpr absl::string_view kSystemExitReboot = "MPY: soft reboot";
constexpr absl::string_view kOldSystemExitReboot = "soft reboot";

}  // namespace

std::string EscapeBytes(absl::string_view bytes, size_t max) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c >= 0x7f) {
      absl::StrAppendFormat(&out, "\\x%02x", c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  if (out.size() > max) out = absl::StrCat("...", out.substr(out.size() - max));
  return absl::StrCat("\"", out, "\"");
}

bool EndsWithRawPrompt(absl::string_view text) {
  return absl::EndsWith(text, "raw REPL; CTRL-B to exit\r\n>") ||
         absl::EndsWith(text, "raw REPL; CTRL-B to exit\r\r\n>");
}

ResponseParser::ResponseParser(bool expect_ok, Limits limits)
    : limits_(limits), state_(expect_ok ? State::kAwaitOk : State::kStdout) {}

void ResponseParser::Fail(absl::Status status) {
  state_ = State::kFailed;
  status_ = std::move(status);
}

bool ResponseParser::LooksLikeReboot(const std::string& text) const {
  return absl::EndsWith(text, kBootPrompt) || absl::EndsWith(text, kSoftReboot) ||
         EndsWithRawPrompt(text);
}

size_t ResponseParser::Feed(absl::string_view bytes) {
  size_t used = 0;
  while (used < bytes.size() && !finished()) {
    char c = bytes[used++];
    switch (state_) {
      case State::kAwaitOk:
        noise_.push_back(c);
        if (absl::EndsWith(noise_, "OK")) {
          noise_.resize(noise_.size() - 2);
          state_ = State::kStdout;
        } else if (noise_.size() > limits_.max_noise_before_ok) {
          Fail(absl::DataLossError(
              absl::StrCat("expected \"OK\" from the board, got ", EscapeBytes(noise_))));
        }
        break;
      case State::kStdout:
      case State::kStderr: {
        std::string& text = state_ == State::kStdout ? stdout_ : stderr_;
        if (c == '\x04') {
          state_ = state_ == State::kStdout ? State::kStderr : State::kAwaitPrompt;
          break;
        }
        text.push_back(c);
        if (LooksLikeReboot(text)) {
          Fail(absl::AbortedError(
              absl::StrCat("the board rebooted in the middle of the response; last bytes ",
                           EscapeBytes(text, 80))));
        } else if (stdout_.size() + stderr_.size() > limits_.max_output) {
          Fail(absl::ResourceExhaustedError(
              absl::StrCat("response longer than ", limits_.max_output, " bytes")));
        }
        break;
      }
      case State::kAwaitPrompt:
        if (c == '>' && after_response_.empty()) {
          state_ = State::kDone;
          break;
        }
        // SystemExit: the board soft-reboots instead of sending the prompt.
        after_response_.push_back(c);
        if (after_response_ == kSystemExitReboot || after_response_ == kOldSystemExitReboot) {
          soft_rebooted_ = true;
          state_ = State::kDone;
        } else if (!absl::StartsWith(kSystemExitReboot, after_response_) &&
                   !absl::StartsWith(kOldSystemExitReboot, after_response_)) {
          Fail(absl::DataLossError(
              absl::StrCat("expected the raw prompt '>' after the response, got ",
                           EscapeBytes(after_response_, 40))));
        }
        break;
      case State::kDone:
      case State::kFailed:
        break;
    }
  }
  return used;
}

}  // namespace mptest::repl
