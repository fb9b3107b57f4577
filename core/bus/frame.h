// Length-prefixed frames: a 4-byte little-endian payload length, then the payload. The framing
// of every parent<->child channel (events, results, spawn requests). FrameReader decodes a
// byte stream incrementally from a non-blocking descriptor and turns a malformed stream
// (oversized frame, truncated frame at end of stream) into an error for that channel only.
#ifndef MPTEST_CORE_BUS_FRAME_H_
#define MPTEST_CORE_BUS_FRAME_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mptest::bus {

inline constexpr size_t kFrameHeaderSize = 4;
// Events are small; results may be large (a 256 MiB result must arrive intact).
inline constexpr size_t kDefaultMaxEventFrame = size_t{16} << 20;
inline constexpr size_t kMaxFrameLimit = size_t{1} << 31;

// The first payload byte of a child-to-parent frame says what the rest is.
inline constexpr char kEventTag = 'E';    // a serialized mptest.proto.Event
inline constexpr char kResultTag = 'R';   // the target's result, codec bytes
inline constexpr char kFailureTag = 'F';  // a serialized mptest.proto.ChildFailure
inline constexpr char kWakeTag = 'W';     // empty: the child's event ring has records
// 4 bytes, little-endian: the pid of a process just forked in the child's process tree, sent
// by that process itself (see SenderContext::report_forks in event_sender.h).
inline constexpr char kDescendantTag = 'D';

// Appends header + payload to `out`.
void AppendFrame(absl::string_view payload, std::string* out);

// Writes one frame (header and payload, and an optional one-byte tag that starts the payload)
// to a blocking descriptor, retrying on EINTR and short writes. Errors name the descriptor.
absl::Status WriteFrame(int fd, absl::string_view payload);
absl::Status WriteTaggedFrame(int fd, char tag, absl::string_view body);

class FrameReader {
 public:
  // `max_frame_size` bounds one payload; larger announced lengths are an error.
  explicit FrameReader(size_t max_frame_size = kDefaultMaxEventFrame);

  // Adds raw bytes from the stream.
  void Feed(const char* data, size_t size);

  // Reads what is available from `fd` (non-blocking or ready) into the buffer. Returns false at
  // end of stream; an error on a read failure other than EAGAIN/EINTR.
  absl::StatusOr<bool> ReadFrom(int fd);

  // The next complete frame's payload, std::nullopt if more bytes are needed, or an error if
  // the stream is malformed (announced length over the maximum). After an error the reader
  // stays failed.
  absl::StatusOr<std::optional<std::string>> Next();

  // Like Next(), without a copy: `payload` points into the reader's buffer and stays valid
  // until the next Feed/ReadFrom/TakeLast. Returns false if more bytes are needed.
  absl::StatusOr<bool> NextView(absl::string_view* payload);

  // The payload NextView returned last, without its first `skip` bytes (a tag), as a string of
  // its own. When it is the last thing buffered (a large result is: ReadFrom reserves exactly
  // its frame) the buffer itself is handed over, so the bytes exist once; otherwise they are
  // copied. Call before the next Feed/ReadFrom.
  std::string TakeLast(size_t skip = 0);

  // Call at end of stream: an error if a partial frame is pending ("truncated frame").
  absl::Status Finish() const;

  size_t buffered() const { return buffer_.size() - consumed_; }

 private:
  // Makes room for the frame whose header is buffered, so that it is appended in place.
  void ReserveForPendingFrame();

  size_t max_frame_size_;
  std::string buffer_;
  size_t consumed_ = 0;
  size_t last_offset_ = 0, last_size_ = 0;  // of the payload NextView returned last
  absl::Status error_;
};

}  // namespace mptest::bus

#endif  // MPTEST_CORE_BUS_FRAME_H_
