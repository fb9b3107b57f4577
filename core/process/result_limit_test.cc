// The result limit is exact (issue 14, item 8): a result of exactly kMaxResultBytes of data (with
// the longest length prefix its encoding may add), sent as a
// tagged frame (one tag byte more), is accepted by the parent's channel reader, and one byte
// more is refused. Only frame headers are written, so nothing of a GiB is allocated. The child's
// own check (RunTargetAndReport) is tested at the same boundary with a small limit: a result of
// exactly the limit is sent, one byte more is reported as ResultTooLarge.
#include <unistd.h>

#include <cstdint>
#include <string>

#include "core/bus/frame.h"
#include "core/process/child_runner.h"
#include "core/proto/channel.pb.h"
#include "gmock/gmock.h"
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
  // 1 GiB of data, its longest length prefix and the tag byte.
  absl::StatusOr<bool> verdict = VerdictOnHeader(kMaxResultBytes + kResultPrefixBytes + 1);
  ASSERT_TRUE(verdict.ok()) << verdict.status();
  EXPECT_FALSE(*verdict);  // waiting for the rest: not a malformed channel
}

TEST(ResultLimitTest, OneByteMoreIsRefused) {
  absl::StatusOr<bool> verdict = VerdictOnHeader(kMaxResultBytes + kResultPrefixBytes + 2);
  EXPECT_FALSE(verdict.ok());
}

// What RunTargetAndReport sends for a result of `size` bytes under a limit of `limit`: its exit
// code and the one frame it wrote.
std::pair<int, std::string> ReportedFor(size_t size, size_t limit) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  const int code = RunTargetAndReport(
      fds[1], [size] { return std::string(size, 'r'); }, limit);
  close(fds[1]);
  bus::FrameReader reader(limit + 4096);  // a failure frame may be larger than the result
  while (reader.ReadFrom(fds[0]).value_or(false)) {
  }
  close(fds[0]);
  absl::StatusOr<std::optional<std::string>> frame = reader.Next();
  EXPECT_TRUE(frame.ok() && frame->has_value());
  return {code, frame.ok() ? frame->value_or("") : ""};
}

TEST(ResultLimitTest, TheChildSendsAResultOfExactlyTheLimit) {
  // The limit's data and the longest length prefix an encoding adds.
  auto [code, frame] = ReportedFor(64 + kResultPrefixBytes, /*limit=*/64);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(frame, std::string(1, bus::kResultTag) + std::string(64 + kResultPrefixBytes, 'r'));
}

TEST(ResultLimitTest, TheChildSaysAResultOneByteOverTheLimitIsTooLarge) {
  auto [code, frame] = ReportedFor(65 + kResultPrefixBytes, /*limit=*/64);
  EXPECT_EQ(code, 1);
  ASSERT_FALSE(frame.empty());
  EXPECT_EQ(frame[0], bus::kFailureTag);
  proto::ChildFailure failure;
  ASSERT_TRUE(failure.ParseFromString(frame.substr(1)));
  EXPECT_EQ(failure.exception_type(), "mptest::process::ResultTooLarge");
  EXPECT_THAT(failure.message(),
              ::testing::HasSubstr("75 bytes encoded, more than the limit of 64 (and a length "
                                   "prefix of up to 10)"));
}

}  // namespace
}  // namespace mptest::process
