// Length-prefixed framing; see frame.h.
#include "core/bus/frame.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace mptest::bus {
namespace {

void EncodeLength(uint32_t length, char header[kFrameHeaderSize]) {
  for (size_t i = 0; i < kFrameHeaderSize; ++i) header[i] = static_cast<char>(length >> (8 * i));
}

uint32_t DecodeLength(const char* header) {
  uint32_t length = 0;
  for (size_t i = 0; i < kFrameHeaderSize; ++i) {
    length |= uint32_t{static_cast<unsigned char>(header[i])} << (8 * i);
  }
  return length;
}

absl::Status WriteVectors(int fd, struct iovec* iov, int count) {
  while (count > 0) {
    ssize_t n = writev(fd, iov, count);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError(
          absl::StrCat("writing a frame to fd ", fd, ": ", strerror(errno)));
    }
    size_t left = static_cast<size_t>(n);
    while (count > 0 && left >= iov->iov_len) {
      left -= iov->iov_len;
      ++iov;
      --count;
    }
    if (count > 0) {
      iov->iov_base = static_cast<char*>(iov->iov_base) + left;
      iov->iov_len -= left;
    }
  }
  return absl::OkStatus();
}

}  // namespace

void AppendFrame(absl::string_view payload, std::string* out) {
  char header[kFrameHeaderSize];
  EncodeLength(static_cast<uint32_t>(payload.size()), header);
  out->append(header, kFrameHeaderSize);
  out->append(payload.data(), payload.size());
}

absl::Status WriteFrame(int fd, absl::string_view payload) {
  if (payload.size() > kMaxFrameLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("frame of ", payload.size(), " bytes exceeds the limit of ", kMaxFrameLimit));
  }
  char header[kFrameHeaderSize];
  EncodeLength(static_cast<uint32_t>(payload.size()), header);
  struct iovec iov[2] = {{header, kFrameHeaderSize},
                         {const_cast<char*>(payload.data()), payload.size()}};
  return WriteVectors(fd, iov, 2);
}

absl::Status WriteTaggedFrame(int fd, char tag, absl::string_view body) {
  if (body.size() + 1 > kMaxFrameLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("frame of ", body.size() + 1, " bytes exceeds the limit of ", kMaxFrameLimit));
  }
  char header[kFrameHeaderSize + 1];
  EncodeLength(static_cast<uint32_t>(body.size() + 1), header);
  header[kFrameHeaderSize] = tag;
  struct iovec iov[2] = {{header, kFrameHeaderSize + 1},
                         {const_cast<char*>(body.data()), body.size()}};
  return WriteVectors(fd, iov, 2);
}

FrameReader::FrameReader(size_t max_frame_size) : max_frame_size_(max_frame_size) {}

void FrameReader::Feed(const char* data, size_t size) {
  if (consumed_ > 0 && consumed_ == buffer_.size()) {
    buffer_.clear();
    consumed_ = 0;
  }
  buffer_.append(data, size);
}

// Frames at least this large are read into a buffer reserved for them (see ReadFrom), and the
// buffer's memory is given back once they are consumed.
constexpr size_t kLargeFrame = size_t{1} << 20;

void FrameReader::ReserveForPendingFrame() {
  if (buffered() < kFrameHeaderSize) return;
  const size_t length = DecodeLength(buffer_.data() + consumed_);
  if (length > max_frame_size_ || buffer_.capacity() >= consumed_ + kFrameHeaderSize + length) {
    return;  // NextView reports the oversized frame; a reserved one has its room
  }
  if (length >= kLargeFrame && consumed_ > 0) {  // the frame first, with nothing before it
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.reserve(consumed_ + kFrameHeaderSize + length);
}

absl::StatusOr<bool> FrameReader::ReadFrom(int fd) {
  if (consumed_ > 0 && consumed_ == buffer_.size()) {
    if (buffer_.capacity() >= kLargeFrame) {
      std::string().swap(buffer_);  // a large frame was consumed: its memory goes back
    } else {
      buffer_.clear();
    }
    consumed_ = 0;
  } else if (consumed_ > (size_t{1} << 20) && consumed_ * 2 > buffer_.size()) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  // Room for the pending frame, reserved as soon as its header is known: a large result is
  // appended into its final buffer without reallocation (TakeLast hands that buffer over).
  ReserveForPendingFrame();
  char chunk[256 * 1024];
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n > 0) {
      const bool had_header = buffered() >= kFrameHeaderSize;
      buffer_.append(chunk, static_cast<size_t>(n));
      if (!had_header) ReserveForPendingFrame();
      if (static_cast<size_t>(n) < sizeof(chunk)) return true;
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
    return absl::UnavailableError(absl::StrCat("reading fd ", fd, ": ", strerror(errno)));
  }
}

absl::StatusOr<bool> FrameReader::NextView(absl::string_view* payload) {
  if (!error_.ok()) return error_;
  if (buffered() < kFrameHeaderSize) return false;
  size_t length = DecodeLength(buffer_.data() + consumed_);
  if (length > max_frame_size_) {
    error_ =
        absl::DataLossError(absl::StrCat("malformed channel: frame announces ", length,
                                         " bytes, more than the maximum of ", max_frame_size_));
    return error_;
  }
  if (buffered() < kFrameHeaderSize + length) return false;
  last_offset_ = consumed_ + kFrameHeaderSize;
  last_size_ = length;
  *payload = absl::string_view(buffer_.data() + last_offset_, length);
  consumed_ += kFrameHeaderSize + length;
  return true;
}

std::string FrameReader::TakeLast(size_t skip) {
  skip = std::min(skip, last_size_);
  if (last_offset_ + last_size_ != buffer_.size() || consumed_ != buffer_.size()) {
    return buffer_.substr(last_offset_ + skip, last_size_ - skip);
  }
  buffer_.erase(0, last_offset_ + skip);  // in place: no second copy of the payload
  std::string taken;
  taken.swap(buffer_);
  consumed_ = 0;
  last_offset_ = last_size_ = 0;
  return taken;
}

absl::StatusOr<std::optional<std::string>> FrameReader::Next() {
  absl::string_view view;
  absl::StatusOr<bool> got = NextView(&view);
  if (!got.ok()) return got.status();
  if (!*got) return std::optional<std::string>();
  return std::optional<std::string>(std::in_place, view.data(), view.size());
}

absl::Status FrameReader::Finish() const {
  if (!error_.ok()) return error_;
  if (buffered() == 0) return absl::OkStatus();
  if (buffered() < kFrameHeaderSize) {
    return absl::DataLossError(absl::StrCat("truncated frame: stream ended inside a header (",
                                            buffered(), " of 4 bytes)"));
  }
  return absl::DataLossError(
      absl::StrCat("truncated frame: stream ended after ", buffered() - kFrameHeaderSize, " of ",
                   DecodeLength(buffer_.data() + consumed_), " payload bytes"));
}

}  // namespace mptest::bus
