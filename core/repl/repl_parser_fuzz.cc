// libFuzzer target for the raw-REPL response parser. Input: one option byte (bit 0: plain raw
// mode, expecting "OK"; bits 1-7: the split size for the second pass) then the board's bytes.
// Checks that the parser never crashes, is independent of how the bytes are split, consumes
// nothing past the prompt, and never reports more output than it was given.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <algorithm>

#include "core/repl/response_parser.h"

namespace {

using mptest::repl::ResponseParser;

void Check(bool condition) {
  if (!condition) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool expect_ok = data[0] & 1;
  const size_t split = 1 + (data[0] >> 1);
  absl::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  ResponseParser::Limits limits;
  limits.max_noise_before_ok = 64;
  limits.max_output = 4096;

  ResponseParser whole(expect_ok, limits);
  size_t used_whole = whole.Feed(bytes);
  Check(used_whole <= bytes.size());
  Check(whole.finished() || used_whole == bytes.size());

  ResponseParser pieces(expect_ok, limits);
  size_t used_pieces = 0;
  for (size_t at = 0; at < bytes.size() && !pieces.finished(); at += split) {
    used_pieces += pieces.Feed(bytes.substr(at, split));
  }
  Check(used_pieces == used_whole);
  Check(pieces.state() == whole.state());
  Check(pieces.status().code() == whole.status().code());
  Check(pieces.stdout_text() == whole.stdout_text());
  Check(pieces.stderr_text() == whole.stderr_text());
  Check(whole.stdout_text().size() + whole.stderr_text().size() + whole.noise().size() <=
        used_whole);
  if (whole.state() == ResponseParser::State::kDone) {
    Check(whole.status().ok());
    Check(bytes[used_whole - 1] == '>' || whole.soft_rebooted());
  }
  // A finished parser takes nothing more; an unfinished one goes on where it stopped.
  const bool was_finished = whole.finished();
  const size_t again = whole.Feed(bytes);
  Check(!was_finished || again == 0);
  Check(mptest::repl::EscapeBytes(bytes, 50).size() <= 50 + 5);
  (void)mptest::repl::EndsWithRawPrompt(bytes);
  return 0;
}
