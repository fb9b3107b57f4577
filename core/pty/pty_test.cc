// Tests for the pty helpers: raw byte transport, spawning on a pty, deadlines, hang-up.
#include "core/pty/pty.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace mptest::pty {
namespace {

absl::Time Soon() { return absl::Now() + absl::Seconds(5); }

std::string ReadExactly(int fd, size_t size) {
  std::string got;
  while (got.size() < size) {
    absl::StatusOr<std::string> chunk = ReadSome(fd, Soon());
    if (!chunk.ok()) break;
    got += *chunk;
  }
  return got;
}

TEST(PtyTest, PairCarriesBytesUntranslated) {
  absl::StatusOr<PtyPair> pair = OpenPtyPair();
  ASSERT_TRUE(pair.ok()) << pair.status();
  EXPECT_EQ(pair->slave_path.rfind("/dev/pts/", 0), 0u) << pair->slave_path;
  const std::string bytes("a\r\n\x03\x04\x01\xff\n", 8);
  ASSERT_TRUE(WriteAll(pair->master.get(), bytes, Soon()).ok());
  EXPECT_EQ(ReadExactly(pair->slave.get(), bytes.size()), bytes);
  ASSERT_TRUE(WriteAll(pair->slave.get(), bytes, Soon()).ok());
  EXPECT_EQ(ReadExactly(pair->master.get(), bytes.size()), bytes);
}

TEST(PtyTest, ReadSomeHonoursDeadline) {
  absl::StatusOr<PtyPair> pair = OpenPtyPair();
  ASSERT_TRUE(pair.ok());
  absl::StatusOr<std::string> got =
      ReadSome(pair->slave.get(), absl::Now() + absl::Milliseconds(20));
  EXPECT_TRUE(absl::IsDeadlineExceeded(got.status())) << got.status();
}

TEST(PtyTest, OpenTtyOpensTheSlaveByPath) {
  absl::StatusOr<PtyPair> pair = OpenPtyPair();
  ASSERT_TRUE(pair.ok());
  absl::StatusOr<UniqueFd> tty = OpenTty(pair->slave_path, 115200);
  ASSERT_TRUE(tty.ok()) << tty.status();
  ASSERT_TRUE(WriteAll(tty->get(), "xyz", Soon()).ok());
  EXPECT_EQ(ReadExactly(pair->master.get(), 3), "xyz");
  EXPECT_FALSE(OpenTty("/nonexistent/tty").ok());
}

TEST(PtyTest, SpawnedCommandUsesThePtyAsConsole) {
  absl::StatusOr<PtyProcess> proc = SpawnOnPty({"cat"});
  ASSERT_TRUE(proc.ok()) << proc.status();
  ASSERT_TRUE(WriteAll(proc->master.get(), "ping\n", Soon()).ok());
  // Raw mode: no echo, so exactly what cat wrote comes back.
  EXPECT_EQ(ReadExactly(proc->master.get(), 5), "ping\n");
  kill(proc->pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(proc->pid, &status, 0), proc->pid);
  EXPECT_TRUE(WIFSIGNALED(status));
}

TEST(PtyTest, SpawnedCommandInheritsOnlyItsConsole) {
  // A descriptor without O_CLOEXEC, high up, as a leaky library would leave it.
  int leaked = dup2(open("/dev/null", O_RDONLY), 777);
  ASSERT_EQ(leaked, 777);
  absl::StatusOr<PtyProcess> proc = SpawnOnPty({"/bin/ls", "-1", "/proc/self/fd"});
  close(leaked);
  ASSERT_TRUE(proc.ok()) << proc.status();
  std::string listing;
  for (;;) {
    absl::StatusOr<std::string> chunk = ReadSome(proc->master.get(), Soon());
    if (!chunk.ok()) break;
    listing += *chunk;
  }
  int status = 0;
  ASSERT_EQ(waitpid(proc->pid, &status, 0), proc->pid);
  // 0, 1, 2 (the pty) and 3 (the directory ls reads): nothing else.
  EXPECT_EQ(listing, "0\n1\n2\n3\n") << listing;
}

TEST(PtyTest, ExitOfCommandIsSeenAsLineGone) {
  absl::StatusOr<PtyProcess> proc = SpawnOnPty({"/bin/echo", "bye"});
  ASSERT_TRUE(proc.ok()) << proc.status();
  std::string got;
  absl::Status end;
  for (;;) {
    absl::StatusOr<std::string> chunk = ReadSome(proc->master.get(), Soon());
    if (!chunk.ok()) {
      end = chunk.status();
      break;
    }
    got += *chunk;
  }
  EXPECT_EQ(got, "bye\n");
  EXPECT_TRUE(absl::IsUnavailable(end)) << end;
  int status = 0;
  ASSERT_EQ(waitpid(proc->pid, &status, 0), proc->pid);
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(PtyTest, LinksAndTheirDirectories) {
  absl::StatusOr<PtyPair> pair = OpenPtyPair();
  ASSERT_TRUE(pair.ok());
  const std::string dir = std::string(getenv("TEST_TMPDIR")) + "/linkdir";
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  const std::string link = dir + "/tty";
  ASSERT_TRUE(PointLinkAt(link, pair->slave_path).ok());
  ASSERT_TRUE(PointLinkAt(link, pair->slave_path).ok());  // replacing works too
  char target[128] = {};
  ASSERT_GT(readlink(link.c_str(), target, sizeof(target) - 1), 0);
  EXPECT_EQ(pair->slave_path, target);
  EXPECT_FALSE(LinkDirectoryGone(link));
  ASSERT_EQ(unlink(link.c_str()), 0);
  ASSERT_EQ(rmdir(dir.c_str()), 0);
  EXPECT_TRUE(LinkDirectoryGone(link));
  EXPECT_FALSE(PointLinkAt(link, pair->slave_path).ok());
}

TEST(PtyTest, SpawnOfMissingProgramIsNotFound) {
  absl::StatusOr<PtyProcess> proc = SpawnOnPty({"/nonexistent/program"});
  EXPECT_TRUE(absl::IsNotFound(proc.status())) << proc.status();
  EXPECT_NE(proc.status().message().find("/nonexistent/program"), std::string::npos);
  EXPECT_TRUE(absl::IsInvalidArgument(SpawnOnPty({}).status()));
}

}  // namespace
}  // namespace mptest::pty
