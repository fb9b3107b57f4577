// The raw-REPL client (see raw_repl_client.h). Protocol: docs.micropython.org "raw mode and
// raw-paste mode"; byte sequences as in shared/reference/micropython-repl.md.
#include "core/repl/raw_repl_client.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/repl/firmware_identity.h"
#include "core/repl/response_parser.h"

namespace mptest::repl {
namespace {

constexpr absl::string_view kRawBanner = "raw REPL; CTRL-B to exit\r\n>";
constexpr absl::string_view kRawBannerUnixPty = "raw REPL; CTRL-B to exit\r\r\n>";
constexpr absl::Duration kMaxDrain = absl::Seconds(1);

}  // namespace

RawReplClient::RawReplClient(int fd, ClientOptions options) : fd_(fd), options_(options) {}

absl::StatusOr<std::unique_ptr<RawReplClient>> RawReplClient::Open(const std::string& path,
                                                                   int baud,
                                                                   ClientOptions options) {
  absl::StatusOr<pty::UniqueFd> fd = pty::OpenTty(path, baud);
  if (!fd.ok()) return fd.status();
  auto client = std::make_unique<RawReplClient>(fd->get(), options);
  client->owned_ = std::move(*fd);
  return client;
}

absl::StatusOr<std::unique_ptr<RawReplClient>> RawReplClient::OpenBoard(
    const std::string& path, const proto::BoardDefinition& board) {
  ClientOptions options;
  if (board.raw_chunk_bytes() > 0) options.plain_chunk_bytes = board.raw_chunk_bytes();
  if (board.raw_chunk_delay_ms() > 0) {
    options.plain_chunk_delay = absl::Milliseconds(board.raw_chunk_delay_ms());
  }
  return Open(path, board.baud(), options);
}

absl::Status RawReplClient::Lost(absl::Status status) {
  in_raw_repl_ = false;
  return status;
}

absl::Status RawReplClient::Write(absl::string_view bytes, absl::Time deadline) {
  absl::Status status = pty::WriteAll(fd_, bytes, deadline);
  if (absl::IsUnavailable(status)) {
    return absl::UnavailableError(absl::StrCat("the board is gone: ", status.message()));
  }
  return status;
}

absl::Status RawReplClient::ReadMore(absl::Time deadline, absl::string_view waiting_for) {
  absl::StatusOr<std::string> chunk = pty::ReadSome(fd_, deadline);
  if (absl::IsDeadlineExceeded(chunk.status())) {
    return absl::DeadlineExceededError(
        absl::StrCat("timed out waiting for ", waiting_for, "; received ", EscapeBytes(pending_)));
  }
  if (!chunk.ok()) {
    return absl::UnavailableError(absl::StrCat("the board is gone while waiting for ", waiting_for,
                                               " (", chunk.status().message(), "); received ",
                                               EscapeBytes(pending_)));
  }
  pending_ += *chunk;
  return absl::OkStatus();
}

absl::StatusOr<std::string> RawReplClient::ReadUntil(
    std::initializer_list<absl::string_view> suffixes, absl::Time deadline,
    absl::string_view waiting_for) {
  size_t checked = 0;
  for (;;) {
    for (; checked < pending_.size(); ++checked) {
      absl::string_view head(pending_.data(), checked + 1);
      for (absl::string_view suffix : suffixes) {
        if (absl::EndsWith(head, suffix)) {
          std::string result(head);
          pending_.erase(0, head.size());
          return result;
        }
      }
    }
    if (absl::Status status = ReadMore(deadline, waiting_for); !status.ok()) return status;
  }
}

absl::StatusOr<std::string> RawReplClient::ReadExactly(size_t count, absl::Time deadline,
                                                       absl::string_view waiting_for) {
  while (pending_.size() < count) {
    if (absl::Status status = ReadMore(deadline, waiting_for); !status.ok()) return status;
  }
  std::string result = pending_.substr(0, count);
  pending_.erase(0, count);
  return result;
}

absl::Status RawReplClient::EnterRawRepl(absl::Time deadline) {
  in_raw_repl_ = false;
  if (absl::Status status = Write("\r\x03\x03", deadline); !status.ok()) return status;
  absl::StatusOr<std::string> drained =
      pty::Drain(fd_, options_.drain_quiet, std::min(deadline, absl::Now() + kMaxDrain));
  if (!drained.ok()) {
    return absl::UnavailableError(absl::StrCat("the board is gone: ", drained.status().message()));
  }
  pending_.clear();
  if (absl::Status status = Write("\r\x01", deadline); !status.ok()) return status;
  absl::StatusOr<std::string> banner =
      ReadUntil({kRawBanner, kRawBannerUnixPty}, deadline, "the raw REPL banner");
  if (absl::IsDeadlineExceeded(banner.status()) && absl::StrContains(pending_, ">>> ")) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the board answers in the friendly REPL but does not enter the raw REPL (Ctrl-A "
        "ignored); received ",
        EscapeBytes(pending_)));
  }
  if (!banner.ok()) return banner.status();
  in_raw_repl_ = true;
  return absl::OkStatus();
}

absl::Status RawReplClient::WritePlain(absl::string_view code, absl::Time deadline) {
  for (size_t at = 0; at < code.size(); at += options_.plain_chunk_bytes) {
    if (at > 0) absl::SleepFor(options_.plain_chunk_delay);
    absl::Status status = Write(code.substr(at, options_.plain_chunk_bytes), deadline);
    if (!status.ok()) return status;
  }
  return Write("\x04", deadline);
}

absl::StatusOr<bool> RawReplClient::TryRawPaste(absl::string_view code, absl::Time deadline) {
  if (absl::Status status = Write("\x05"
                                  "A\x01",
                                  deadline);
      !status.ok())
    return status;
  absl::StatusOr<std::string> header = ReadExactly(2, deadline, "the raw-paste answer");
  if (!header.ok()) return header.status();
  if (*header == absl::string_view("R\x00", 2)) {
    raw_paste_ = RawPaste::kUnsupported;
    absl::StatusOr<std::string> prompt = ReadUntil({">"}, deadline, "the raw prompt after R\\x00");
    if (!prompt.ok()) return prompt.status();
    return false;
  }
  if (*header != "R\x01") {
    // Firmware older than 1.14 took it as Ctrl-A and printed the raw banner again.
    raw_paste_ = RawPaste::kUnsupported;
    pending_.insert(0, *header);
    absl::StatusOr<std::string> banner = ReadUntil({kRawBanner, kRawBannerUnixPty}, deadline,
                                                   "the raw banner after a raw-paste request");
    if (!banner.ok()) {
      return absl::DataLossError(
          absl::StrCat("unexpected answer to the raw-paste request: ", banner.status().message()));
    }
    return false;
  }
  raw_paste_ = RawPaste::kSupported;
  absl::StatusOr<std::string> window_bytes = ReadExactly(2, deadline, "the raw-paste window size");
  if (!window_bytes.ok()) return window_bytes.status();
  const size_t increment = static_cast<unsigned char>((*window_bytes)[0]) |
                           (static_cast<unsigned char>((*window_bytes)[1]) << 8);
  if (increment == 0) return absl::DataLossError("the board announced a raw-paste window of 0");
  size_t remain = increment;
  size_t at = 0;
  while (at < code.size()) {
    // Take every flow-control byte that has arrived; block for one when the window is used up.
    for (;;) {
      if (pending_.empty()) {
        absl::Time wait_until = remain == 0 ? deadline : absl::Now();
        absl::StatusOr<std::string> chunk = pty::ReadSome(fd_, wait_until);
        if (absl::IsDeadlineExceeded(chunk.status())) {
          if (remain == 0) {
            return absl::DeadlineExceededError(
                "timed out waiting for the board to open the next raw-paste window");
          }
          break;
        }
        if (!chunk.ok()) {
          return absl::UnavailableError(
              absl::StrCat("the board is gone during raw paste: ", chunk.status().message()));
        }
        pending_ += *chunk;
      }
      char flow = pending_[0];
      pending_.erase(0, 1);
      if (flow == '\x01') {
        remain += increment;
      } else if (flow == '\x04') {
        // The board ended the transfer early (an error while compiling): acknowledge it.
        if (absl::Status status = Write("\x04", deadline); !status.ok()) return status;
        return true;
      } else {
        return absl::DataLossError(
            absl::StrCat("unexpected byte during raw paste: ", EscapeBytes(std::string(1, flow))));
      }
    }
    absl::string_view piece = code.substr(at, remain);
    if (absl::Status status = Write(piece, deadline); !status.ok()) return status;
    at += piece.size();
    remain -= piece.size();
  }
  if (absl::Status status = Write("\x04", deadline); !status.ok()) return status;
  // Window increments may still arrive before the acknowledgement.
  for (;;) {
    absl::StatusOr<std::string> byte =
        ReadExactly(1, deadline, "the raw-paste end acknowledgement");
    if (!byte.ok()) return byte.status();
    if (*byte == "\x04") return true;
    if (*byte != "\x01") {
      return absl::DataLossError(
          absl::StrCat("unexpected byte ending raw paste: ", EscapeBytes(*byte)));
    }
  }
}

absl::StatusOr<ExecResult> RawReplClient::ReadResponse(bool expect_ok, absl::Time deadline) {
  ResponseParser parser(expect_ok);
  for (;;) {
    size_t used = parser.Feed(pending_);
    pending_.erase(0, used);
    if (parser.state() == ResponseParser::State::kDone) {
      ExecResult result{parser.stdout_text(), parser.stderr_text()};
      if (parser.soft_rebooted()) {  // SystemExit: wait until the board is back at the prompt
        absl::StatusOr<std::string> banner = ReadUntil({kRawBanner, kRawBannerUnixPty}, deadline,
                                                       "the raw banner after SystemExit's reboot");
        if (!banner.ok()) return Lost(banner.status());
        result.soft_rebooted = true;
      }
      return result;
    }
    if (parser.state() == ResponseParser::State::kFailed) return Lost(parser.status());
    absl::StatusOr<std::string> chunk = pty::ReadSome(fd_, deadline);
    if (absl::IsDeadlineExceeded(chunk.status())) {
      // Stop whatever still runs so the board is usable after re-entering raw mode.
      (void)pty::WriteAll(fd_, "\x03", absl::Now() + absl::Milliseconds(100));
      return Lost(absl::DeadlineExceededError(absl::StrCat(
          "no complete response before the deadline",
          parser.state() == ResponseParser::State::kAwaitOk
              ? absl::StrCat(" (no \"OK\"; received ", EscapeBytes(parser.noise()), ")")
              : absl::StrCat("; stdout so far ", EscapeBytes(parser.stdout_text()),
                             " stderr so far ", EscapeBytes(parser.stderr_text())))));
    }
    if (!chunk.ok()) {
      return Lost(absl::UnavailableError(absl::StrCat(
          "the board is gone in the middle of the response (", chunk.status().message(),
          "); stdout so far ", EscapeBytes(parser.stdout_text()))));
    }
    pending_ += *chunk;
  }
}

absl::StatusOr<ExecResult> RawReplClient::Execute(absl::string_view code, absl::Time deadline) {
  if (!in_raw_repl_) {
    return absl::FailedPreconditionError("Execute: the client is not in the raw REPL");
  }
  bool pasted = false;
  if (options_.use_raw_paste && raw_paste_ != RawPaste::kUnsupported) {
    absl::StatusOr<bool> sent = TryRawPaste(code, deadline);
    if (!sent.ok()) return Lost(sent.status());
    pasted = *sent;
  }
  if (!pasted) {
    if (absl::Status status = WritePlain(code, deadline); !status.ok()) return Lost(status);
  }
  return ReadResponse(/*expect_ok=*/!pasted, deadline);
}

absl::Status RawReplClient::SoftReset(absl::Time deadline) {
  if (!in_raw_repl_) return absl::FailedPreconditionError("SoftReset: not in the raw REPL");
  if (absl::Status status = Write("\x04", deadline); !status.ok()) return Lost(status);
  absl::StatusOr<std::string> answer =
      ReadUntil({kRawBanner, kRawBannerUnixPty}, deadline, "the raw banner after soft reboot");
  if (!answer.ok()) return Lost(answer.status());
  if (!absl::StartsWith(*answer, "OK") || !absl::StrContains(*answer, "soft reboot")) {
    return Lost(absl::DataLossError(
        absl::StrCat("unexpected answer to a soft reset: ", EscapeBytes(*answer))));
  }
  return absl::OkStatus();
}

absl::Status RawReplClient::Interrupt(absl::Time deadline) {
  in_raw_repl_ = false;
  if (absl::Status status = Write("\r\x03\x03", deadline); !status.ok()) return status;
  absl::StatusOr<std::string> drained =
      pty::Drain(fd_, options_.drain_quiet, std::min(deadline, absl::Now() + kMaxDrain));
  pending_.clear();
  if (!drained.ok()) {
    return absl::UnavailableError(absl::StrCat("the board is gone: ", drained.status().message()));
  }
  return absl::OkStatus();
}

absl::Status RawReplClient::ExitRawRepl(absl::Time deadline) {
  in_raw_repl_ = false;
  if (absl::Status status = Write("\r\x02", deadline); !status.ok()) return status;
  absl::StatusOr<std::string> prompt = ReadUntil({">>> "}, deadline, "the friendly prompt");
  return prompt.status();
}

absl::StatusOr<BoardVersion> RawReplClient::ReadVersion(absl::Time deadline) {
  absl::StatusOr<ExecResult> result = Execute(kIdentityProbeCode, deadline);
  if (!result.ok()) return result.status();
  if (result->raised()) {
    return absl::FailedPreconditionError(
        absl::StrCat("reading the version raised: ", EscapeBytes(result->stderr_text)));
  }
  std::vector<std::string> lines =
      absl::StrSplit(absl::StripSuffix(result->stdout_text, "\r\n"), "\r\n");
  if (lines.size() != 3) {
    return absl::DataLossError(
        absl::StrCat("unexpected version output: ", EscapeBytes(result->stdout_text)));
  }
  BoardVersion version;
  version.build = lines[0];
  version.sys_version = lines[1];
  version.machine = lines[2];
  std::string banner;
  if (ReleaseFrom(version.sys_version).empty()) {
    // Firmware before v1.10: sys.version is only the Python level; the release is in the
    // banner that leaving the raw REPL prints.
    if (absl::Status status = Write("\r\x02", deadline); !status.ok()) return status;
    in_raw_repl_ = false;
    absl::StatusOr<std::string> friendly = ReadUntil({">>> "}, deadline, "the friendly banner");
    if (!friendly.ok()) return friendly.status();
    banner = *std::move(friendly);
    if (absl::Status status = EnterRawRepl(deadline); !status.ok()) return status;
  }
  version.identity = FirmwareIdentity(version.build, version.sys_version, banner);
  const std::string release = ReleaseFrom(banner.empty() ? version.sys_version : banner);
  absl::string_view tag = absl::StripPrefix(release, "MicroPython ");
  version.version = std::string(tag.substr(0, tag.find(' ')));
  return version;
}

}  // namespace mptest::repl
