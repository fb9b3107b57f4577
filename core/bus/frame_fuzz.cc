// Fuzz target of FrameReader, the decoder of every parent<->child channel: a child's bytes are
// outside input to the parent. The input is split into chunks (sizes from the input itself) and
// fed incrementally; the reader never crashes, never returns a frame over its maximum, and the
// frames it returns, framed again and fed in one piece, decode to the same frames.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/bus/frame.h"

namespace {

// Drains every complete frame; false once the reader has failed.
bool Drain(mptest::bus::FrameReader& reader, size_t max_frame, std::vector<std::string>* out) {
  while (true) {
    absl::StatusOr<std::optional<std::string>> next = reader.Next();
    if (!next.ok()) {
      if (next.status().message().empty()) std::abort();
      if (reader.Next().ok()) std::abort();  // a failed reader stays failed
      return false;
    }
    if (!next->has_value()) return true;
    if ((*next)->size() > max_frame) std::abort();
    out->push_back(**next);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t max_frame = 1 + data[0] * 16;  // small maxima reach the oversized-frame path
  const size_t chunk = 1 + data[1] % 17;
  const char* bytes = reinterpret_cast<const char*>(data + 2);
  const size_t length = size - 2;

  mptest::bus::FrameReader reader(max_frame);
  std::vector<std::string> frames;
  bool healthy = true;
  for (size_t offset = 0; offset < length && healthy; offset += chunk) {
    size_t take = offset + chunk <= length ? chunk : length - offset;
    reader.Feed(bytes + offset, take);
    healthy = Drain(reader, max_frame, &frames);
  }
  if (!healthy) return 0;
  // At end of stream, a pending partial frame is an error and only then.
  if (reader.Finish().ok() != (reader.buffered() == 0)) std::abort();

  std::string again;
  for (const std::string& frame : frames) mptest::bus::AppendFrame(frame, &again);
  mptest::bus::FrameReader replay(max_frame);
  replay.Feed(again.data(), again.size());
  std::vector<std::string> replayed;
  if (!Drain(replay, max_frame, &replayed) || replayed != frames) std::abort();
  if (!replay.Finish().ok()) std::abort();
  return 0;
}
