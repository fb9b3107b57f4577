// The result limit is exact (issue 14, item 8): a result of exactly kMaxResultBytes, sent as a
// tagged frame (one tag byte more), is accepted by the parent's channel reader, and one byte
// more is refused. Only frame headers are written, so nothing of a GiB is allocated.
#include <unistd.h>

#include <cstdint>

#include "core/bus/frame.h"
#include "core/process/child_runner.h"
#include "gtest/gtest.h"

namespace mptest::process {
namespace {

// The channel reader's verdict on a frame announcing `length` bytes (only its header sent).
absl::StatusOr<bool> VerdictOnHeader(uint64_t length) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  const unsigned char header[4] = {
      static_cast<unsigned char>(length), static_cast<unsigned char>(length >> 8),
      static_cast<unsigned char>(length >> 16), static_cast<unsigned char>(length >> 24)};
  EXPECT_EQ(write(fds[1], header, sizeof(header)), 4);
  close(fds[1]);
  bus::FrameReader reader(kMaxChannelFrame);
  (void)reader.ReadFrom(fds[0]);
  close(fds[0]);
  absl::string_view payload;
  return reader.NextView(&payload);
}

TEST(ResultLimitTest, AResultOfExactlyTheLimitIsAccepted) {
  absl::StatusOr<bool> verdict = VerdictOnHeader(kMaxResultBytes + 1);  // + the tag byte
  ASSERT_TRUE(verdict.ok()) << verdict.status();
  EXPECT_FALSE(*verdict);  // waiting for the rest: not a malformed channel
}

TEST(ResultLimitTest, OneByteMoreIsRefused) {
  absl::StatusOr<bool> verdict = VerdictOnHeader(kMaxResultBytes + 2);
  EXPECT_FALSE(verdict.ok());
}

}  // namespace
}  // namespace mptest::process
