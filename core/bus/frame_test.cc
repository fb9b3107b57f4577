// Tests for length-prefixed frames and the incremental FrameReader.
#include "core/bus/frame.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::bus {
namespace {

using ::testing::HasSubstr;

// A child that writes to a pipe with `write` and exits 0 if it returned true; the parent's
// non-blocking read end.
struct Writer {
  pid_t pid = -1;
  int read_fd = -1;
};
Writer ForkWriter(const std::function<bool(int fd)>& write) {
  int fds[2];
  EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  Writer writer{fork(), fds[0]};
  if (writer.pid == 0) {
    close(fds[0]);
    _exit(write(fds[1]) ? 0 : 1);
  }
  close(fds[1]);
  return writer;
}

// Closes the read end and expects the writer to have succeeded.
void ExpectWriterDone(const Writer& writer) {
  close(writer.read_fd);
  int status = 0;
  ASSERT_EQ(waitpid(writer.pid, &status, 0), writer.pid);
  EXPECT_EQ(status, 0);
}

TEST(FrameTest, HeaderIsLittleEndianLength) {
  std::string out;
  AppendFrame("abc", &out);
  EXPECT_EQ(out, std::string("\x03\x00\x00\x00"
                             "abc",
                             7));
}

TEST(FrameReaderTest, ReassemblesFramesFedByteByByte) {
  std::string stream;
  AppendFrame("first", &stream);
  AppendFrame("", &stream);
  AppendFrame(std::string(1000, 'x'), &stream);
  FrameReader reader;
  std::vector<std::string> frames;
  for (char c : stream) {
    reader.Feed(&c, 1);
    for (;;) {
      auto next = reader.Next();
      ASSERT_TRUE(next.ok()) << next.status();
      if (!next->has_value()) break;
      frames.push_back(**next);
    }
  }
  EXPECT_EQ(frames, (std::vector<std::string>{"first", "", std::string(1000, 'x')}));
  EXPECT_TRUE(reader.Finish().ok());
}

TEST(FrameReaderTest, OversizedFrameIsAnErrorThatSticks) {
  FrameReader reader(/*max_frame_size=*/10);
  std::string stream;
  AppendFrame(std::string(11, 'x'), &stream);
  reader.Feed(stream.data(), stream.size());
  auto next = reader.Next();
  ASSERT_FALSE(next.ok());
  EXPECT_THAT(next.status().message(), HasSubstr("11 bytes"));
  EXPECT_THAT(next.status().message(), HasSubstr("maximum of 10"));
  EXPECT_FALSE(reader.Next().ok());
  EXPECT_FALSE(reader.Finish().ok());
}

TEST(FrameReaderTest, TruncatedStreamIsReportedAtFinish) {
  FrameReader reader;
  std::string stream;
  AppendFrame("hello", &stream);
  reader.Feed(stream.data(), stream.size() - 2);
  auto next = reader.Next();
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
  EXPECT_THAT(reader.Finish().message(), HasSubstr("3 of 5 payload bytes"));
  FrameReader header_only;
  header_only.Feed("\x05\x00", 2);
  EXPECT_THAT(header_only.Finish().message(), HasSubstr("inside a header"));
}

TEST(FrameReaderTest, ReadsLargeFramesFromAPipeWhileTheWriterWrites) {
  const std::string big((1 << 20) + 1, 'b');
  Writer writer = ForkWriter([&big](int fd) {
    return WriteTaggedFrame(fd, kResultTag, big).ok() && WriteFrame(fd, "tail").ok();
  });
  FrameReader reader(size_t{2} << 20);
  std::vector<std::string> frames;
  for (;;) {
    auto more = reader.ReadFrom(writer.read_fd);
    ASSERT_TRUE(more.ok());
    for (;;) {
      auto next = reader.Next();
      ASSERT_TRUE(next.ok());
      if (!next->has_value()) break;
      frames.push_back(std::move(**next));
    }
    if (!*more) break;
    usleep(100);
  }
  ExpectWriterDone(writer);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0], std::string(1, kResultTag) + big);
  EXPECT_EQ(frames[1], "tail");
  EXPECT_TRUE(reader.Finish().ok());
}

// A large result frame, read from a pipe after a small frame: ReadFrom reserves exactly its
// size from its header (no growth by doubling), and TakeLast hands the reader's buffer over
// without copying the payload (issue 14, item 8: a result's bytes are held once).
TEST(FrameReaderTest, TakeLastHandsOverTheBufferOfALargeLastFrame) {
  const std::string big((4 << 20) + 3, 'b');
  Writer writer = ForkWriter([&big](int fd) {
    return WriteFrame(fd, "event").ok() && WriteTaggedFrame(fd, kResultTag, big).ok();
  });
  FrameReader reader(size_t{8} << 20);
  std::vector<std::string> small;
  std::string taken;
  const char* frame_start = nullptr;
  for (;;) {
    auto more = reader.ReadFrom(writer.read_fd);
    ASSERT_TRUE(more.ok());
    for (;;) {
      absl::string_view payload;
      auto got = reader.NextView(&payload);
      ASSERT_TRUE(got.ok());
      if (!*got) break;
      if (payload.size() < 100) {
        small.emplace_back(payload);
      } else {
        frame_start = payload.data() - kFrameHeaderSize;
        taken = reader.TakeLast(/*skip=*/1);
      }
    }
    if (!*more) break;
    usleep(100);
  }
  ExpectWriterDone(writer);
  EXPECT_EQ(small, std::vector<std::string>{"event"});
  EXPECT_EQ(taken, big);
  EXPECT_EQ(taken.data(), frame_start);          // the reader's own buffer: no copy
  EXPECT_LT(taken.capacity(), big.size() + 64);  // reserved from the header, not doubled
  EXPECT_EQ(reader.buffered(), 0u);
  EXPECT_TRUE(reader.Finish().ok());
}

TEST(FrameReaderTest, TakeLastCopiesAFrameThatOthersFollow) {
  std::string stream;
  AppendFrame("Rresult", &stream);
  AppendFrame("next", &stream);
  FrameReader reader;
  reader.Feed(stream.data(), stream.size());
  absl::string_view payload;
  ASSERT_TRUE(*reader.NextView(&payload));
  EXPECT_EQ(reader.TakeLast(/*skip=*/1), "result");
  auto next = reader.Next();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->value_or(""), "next");
}

}  // namespace
}  // namespace mptest::bus
