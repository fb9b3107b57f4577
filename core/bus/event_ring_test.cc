// Tests for the shared-memory event ring: order, wrap-around, a producer in another process,
// a crash right after a push, the sleep handshake and malformed records.
#include "core/bus/event_ring.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace mptest::bus {
namespace {

std::vector<std::string> DrainAll(EventRing& ring) {
  std::vector<std::string> records;
  EXPECT_TRUE(ring.Drain([&](absl::string_view r) { records.emplace_back(r); }).ok());
  return records;
}

TEST(EventRingTest, KeepsOrderAcrossWrapAround) {
  auto ring = EventRing::Create(1024);
  ASSERT_TRUE(ring.ok()) << ring.status();
  int next_expected = 0;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(ring->Push(std::string(1 + i % 200, static_cast<char>('a' + i % 26)), [] {}));
    if (i % 3 == 2) {
      for (const std::string& r : DrainAll(*ring)) {
        EXPECT_EQ(
            r, std::string(1 + next_expected % 200, static_cast<char>('a' + next_expected % 26)));
        ++next_expected;
      }
    }
  }
  next_expected += static_cast<int>(DrainAll(*ring).size());
  EXPECT_EQ(next_expected, 1000);
  EXPECT_TRUE(ring->Empty());
  EXPECT_FALSE(ring->Push(std::string(300, 'x'), [] {}));  // over a quarter of the ring
}

TEST(EventRingTest, RecordsPushedBeforeACrashAreKept) {
  auto ring = EventRing::Create(1 << 16);
  ASSERT_TRUE(ring.ok());
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    for (int i = 0; i < 100; ++i) ring->Push("event " + std::to_string(i), [] {});
    raise(SIGKILL);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));
  std::vector<std::string> records = DrainAll(*ring);
  ASSERT_EQ(records.size(), 100u);
  EXPECT_EQ(records.back(), "event 99");
}

TEST(EventRingTest, AFullRingWakesTheSleepingConsumerAndWaits) {
  auto ring = EventRing::Create(4096);
  ASSERT_TRUE(ring.ok());
  int wake_pipe[2];
  ASSERT_EQ(pipe(wake_pipe), 0);
  ASSERT_TRUE(ring->PrepareToSleep());
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    for (int i = 0; i < 2000; ++i) {
      ring->Push(std::to_string(i), [&] {
        char byte = 'w';
        ssize_t ignored = write(wake_pipe[1], &byte, 1);
        (void)ignored;
      });
    }
    _exit(0);
  }
  char byte = 0;
  ASSERT_EQ(read(wake_pipe[0], &byte, 1), 1);  // the producer filled the ring and woke us
  ring->Awake();
  int received = 0;
  while (received < 2000) {
    ASSERT_TRUE(ring->Drain([&](absl::string_view r) {
                      EXPECT_EQ(r, std::to_string(received));
                      ++received;
                    })
                    .ok());
  }
  ASSERT_EQ(waitpid(pid, nullptr, 0), pid);
  close(wake_pipe[0]);
  close(wake_pipe[1]);
}

TEST(EventRingTest, AttachSeesTheSameRingAndScribblesAreErrors) {
  auto ring = EventRing::Create(4096);
  ASSERT_TRUE(ring.ok());
  auto attached = EventRing::Attach(dup(ring->fd()));
  ASSERT_TRUE(attached.ok()) << attached.status();
  ASSERT_TRUE(attached->Push("hello", [] {}));
  EXPECT_EQ(DrainAll(*ring), std::vector<std::string>{"hello"});
  EXPECT_FALSE(EventRing::Attach(dup(STDIN_FILENO)).ok());
}

}  // namespace
}  // namespace mptest::bus
