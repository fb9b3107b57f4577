// The virtual board's REPL state machine (see repl_machine.h). Byte sequences follow
// MicroPython's shared/runtime/pyexec.c and shared/readline/readline.c.
#include "firmware/repl_machine.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace mptest::firmware {
namespace {

constexpr char kCtrlA = 0x01, kCtrlB = 0x02, kCtrlC = 0x03, kCtrlD = 0x04, kCtrlE = 0x05;
constexpr absl::string_view kPrompt = ">>> ";
constexpr absl::string_view kContinuation = "... ";
constexpr absl::string_view kRawBanner = "raw REPL; CTRL-B to exit\r\n";
constexpr absl::string_view kSoftReboot = "MPY: soft reboot\r\n";

// As MicroPython's mp_repl_continue_with_input: a line opening a compound statement (or
// ending with ':') continues with the "... " prompt until an empty line.
bool OpensCompoundStatement(absl::string_view line) {
  if (absl::EndsWith(line, ":")) return true;
  for (absl::string_view keyword : {"if", "while", "for", "def", "class", "try", "with", "async",
                                    "elif", "else", "except", "finally"}) {
    if (absl::StartsWith(line, keyword) && line.size() > keyword.size() &&
        (line[keyword.size()] == ' ' || line[keyword.size()] == ':')) {
      return true;
    }
  }
  return absl::StartsWith(line, "@");
}

}  // namespace

ReplMachine::ReplMachine(ReplHost* host, ReplOptions options)
    : host_(host), options_(std::move(options)) {}

void ReplMachine::Boot() {
  mode_ = Mode::kFriendly;
  busy_ = Busy::kIdle;
  line_.clear();
  block_.clear();
  pending_input_.clear();
  host_->Emit(absl::StrCat(options_.banner, kPrompt));
}

void ReplMachine::OnInput(absl::string_view bytes) {
  pending_input_.append(bytes.data(), bytes.size());
  size_t next = 0;
  while (next < pending_input_.size()) {
    if (busy_ == Busy::kExecuting) {
      // The keyboard interrupt character never reaches the program's input.
      std::string rest = pending_input_.substr(next);
      if (rest.find(kCtrlC) != std::string::npos) {
        rest.erase(std::remove(rest.begin(), rest.end(), kCtrlC), rest.end());
        host_->Interrupt();
      }
      pending_input_ = rest;
      return;
    }
    if (busy_ == Busy::kResetting) break;
    HandleByte(pending_input_[next++]);
  }
  pending_input_.erase(0, next);
}

void ReplMachine::HandleByte(char c) {
  switch (mode_) {
    case Mode::kFriendly:
      return FriendlyByte(c);
    case Mode::kPaste:
      return PasteByte(c);
    case Mode::kRaw:
      return RawByte(c);
    case Mode::kRawPaste:
      return RawPasteByte(c);
  }
}

void ReplMachine::EmitCooked(absl::string_view text) {
  host_->Emit(absl::StrReplaceAll(text, {{"\n", "\r\n"}}));
}

void ReplMachine::EmitRawBanner() { host_->Emit(absl::StrCat(kRawBanner, ">")); }

void ReplMachine::FriendlyByte(char c) {
  switch (c) {
    case kCtrlA:
      if (options_.refuse_raw_mode || !line_.empty() || !block_.empty()) return;
      host_->Emit("\r\n");
      mode_ = Mode::kRaw;
      line_.clear();
      EmitRawBanner();
      return;
    case kCtrlB:
      line_.clear();
      block_.clear();
      host_->Emit(absl::StrCat("\r\n", options_.banner, kPrompt));
      return;
    case kCtrlC:
      line_.clear();
      block_.clear();
      host_->Emit(absl::StrCat("\r\n", kPrompt));
      return;
    case kCtrlD:
      if (!line_.empty() || !block_.empty()) return;
      host_->Emit("\r\n");
      StartSoftReset();
      return;
    case kCtrlE:
      line_.clear();
      block_.clear();
      mode_ = Mode::kPaste;
      host_->Emit("\r\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== ");
      return;
    case '\r': {
      host_->Emit("\r\n");
      std::string line = std::move(line_);
      line_.clear();
      if (!block_.empty()) {
        if (!line.empty()) {
          absl::StrAppend(&block_, line, "\n");
          host_->Emit(kContinuation);
          return;
        }
        std::string block = std::move(block_);
        block_.clear();
        StartExecution(block, /*friendly=*/true);
        return;
      }
      if (line.empty()) {
        host_->Emit(kPrompt);
      } else if (OpensCompoundStatement(line)) {
        block_ = absl::StrCat(line, "\n");
        host_->Emit(kContinuation);
      } else {
        StartExecution(line, /*friendly=*/true);
      }
      return;
    }
    case '\n':
      return;
    case 0x08:
    case 0x7f:
      if (!line_.empty()) {
        line_.pop_back();
        host_->Emit("\b \b");
      }
      return;
    default:
      if (static_cast<unsigned char>(c) >= 0x20 || c == '\t') {
        line_.push_back(c);
        host_->Emit(absl::string_view(&c, 1));
      }
      return;
  }
}

void ReplMachine::PasteByte(char c) {
  if (c == kCtrlC) {
    line_.clear();
    mode_ = Mode::kFriendly;
    host_->Emit(absl::StrCat("\r\n", kPrompt));
  } else if (c == kCtrlD) {
    std::string code = std::move(line_);
    line_.clear();
    mode_ = Mode::kFriendly;
    host_->Emit("\r\n");
    StartExecution(code, /*friendly=*/false);
  } else {
    line_.push_back(c);
    host_->Emit(c == '\r' ? absl::string_view("\r\n=== ") : absl::string_view(&c, 1));
  }
}

void ReplMachine::RawByte(char c) {
  switch (c) {
    case kCtrlA:
      if (line_ ==
          "\x05"
          "A") {
        line_.clear();
        if (options_.raw_paste == RawPasteSupport::kSupported) {
          int window = options_.raw_paste_window;
          const char reply[] = {'R', kCtrlA, static_cast<char>(window & 0xff),
                                static_cast<char>((window >> 8) & 0xff), kCtrlA};
          host_->Emit(absl::string_view(reply, sizeof(reply)));
          window_remain_ = window;
          mode_ = Mode::kRawPaste;
          return;
        }
        if (options_.raw_paste == RawPasteSupport::kRefused) {
          // pyexec.c prints the raw prompt again after answering.
          host_->Emit(absl::string_view("R\x00>", 3));
          return;
        }
      }
      line_.clear();
      EmitRawBanner();
      return;
    case kCtrlB:
      line_.clear();
      mode_ = Mode::kFriendly;
      host_->Emit(absl::StrCat("\r\n", options_.banner, kPrompt));
      return;
    case kCtrlC:
      line_.clear();
      return;
    case kCtrlD: {
      host_->Emit("OK");
      if (line_.empty()) {
        host_->Emit("\r\n");
        StartSoftReset();
        return;
      }
      std::string code = std::move(line_);
      line_.clear();
      StartExecution(code, /*friendly=*/false);
      return;
    }
    default:
      line_.push_back(c);
      return;
  }
}

void ReplMachine::RawPasteByte(char c) {
  if (c == kCtrlC || c == kCtrlD) {
    host_->Emit("\x04");
    std::string code = std::move(line_);
    line_.clear();
    mode_ = Mode::kRaw;
    if (c == kCtrlC) {
      // The reader raises KeyboardInterrupt with no traceback: empty stdout, then the error.
      EmitCooked("\x04KeyboardInterrupt: \n\x04>");
      return;
    }
    StartExecution(code, /*friendly=*/false);
    return;
  }
  line_.push_back(c);
  if (--window_remain_ == 0) {
    host_->Emit("\x01");
    window_remain_ = options_.raw_paste_window;
  }
}

void ReplMachine::StartExecution(const std::string& code, bool friendly) {
  busy_ = Busy::kExecuting;
  executing_friendly_ = mode_ == Mode::kFriendly;
  host_->Execute(code, friendly);
}

void ReplMachine::StartSoftReset() {
  host_->Emit(kSoftReboot);
  busy_ = Busy::kResetting;
  host_->SoftReset();
}

void ReplMachine::OnExecutionOutput(absl::string_view stdout_bytes) {
  if (busy_ == Busy::kExecuting) EmitCooked(stdout_bytes);
}

void ReplMachine::OnExecutionDone(absl::string_view traceback) {
  if (busy_ != Busy::kExecuting) return;
  busy_ = Busy::kIdle;
  if (executing_friendly_) {
    EmitCooked(traceback);
    host_->Emit(kPrompt);
  } else {
    host_->Emit("\x04");
    EmitCooked(traceback);
    host_->Emit("\x04>");
  }
  OnInput("");
}

void ReplMachine::OnExecutionSystemExit() {
  if (busy_ != Busy::kExecuting) return;
  busy_ = Busy::kIdle;
  if (!executing_friendly_) host_->Emit("\x04\x04");
  StartSoftReset();
}

void ReplMachine::OnSoftResetDone() {
  if (busy_ != Busy::kResetting) return;
  busy_ = Busy::kIdle;
  if (mode_ == Mode::kRaw) {
    EmitRawBanner();
  } else {
    mode_ = Mode::kFriendly;
    host_->Emit(absl::StrCat(options_.banner, kPrompt));
  }
  OnInput("");
}

}  // namespace mptest::firmware
