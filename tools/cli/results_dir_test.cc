// The results directory is moved aside, never deleted; a foreign one is refused; the lock names
// its holder.
#include "tools/cli/results_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::cli {
namespace {

using ::testing::HasSubstr;

std::string Tmp(const std::string& name) { return std::string(getenv("TEST_TMPDIR")) + "/" + name; }

TEST(ResultsDirTest, EarlierRunIsMovedAsideWithItsFiles) {
  std::string dir = Tmp("results");
  ASSERT_TRUE(PrepareResultsDir(dir).ok());
  std::ofstream(dir + "/context.json") << "{}";
  absl::StatusOr<std::string> moved = PrepareResultsDir(dir);
  ASSERT_TRUE(moved.ok()) << moved.status();
  ASSERT_FALSE(moved->empty());
  struct stat info;
  EXPECT_EQ(stat((*moved + "/context.json").c_str(), &info), 0);
  EXPECT_NE(stat((dir + "/context.json").c_str(), &info), 0);
  EXPECT_EQ(stat((dir + "/" + kResultsMarker).c_str(), &info), 0);
}

TEST(ResultsDirTest, ForeignDirectoryIsRefused) {
  std::string dir = Tmp("foreign");
  mkdir(dir.c_str(), 0755);
  std::ofstream(dir + "/thesis.tex") << "precious";
  absl::StatusOr<std::string> result = PrepareResultsDir(dir);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(result.status().message(), HasSubstr("not an mptest results directory"));
  struct stat info;
  EXPECT_EQ(stat((dir + "/thesis.tex").c_str(), &info), 0);
}

TEST(ResultsDirTest, SecondLockOnTheSameInventoryNamesTheHolder) {
  std::string inventory = Tmp("inv.textproto");
  std::ofstream(inventory) << "name: \"x\"";
  absl::StatusOr<std::string> locks = LockDirectory(Tmp("locks"));
  ASSERT_TRUE(locks.ok()) << locks.status();
  absl::StatusOr<FileLock> first = LockInventory(inventory, *locks, "mptest test");
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<FileLock> second = LockInventory(inventory, *locks, "mptest test");
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(),
              HasSubstr("held by pid " + std::to_string(getpid()) + ": mptest test"));
}

TEST(ResultsDirTest, ResultsDirectoryIsLockedUnderAnyOfItsSpellingsAndNamesTheHolder) {
  const std::string dir = Tmp("res");
  absl::StatusOr<FileLock> first = LockResultsDir(dir, /*create=*/true);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(PrepareResultsDir(dir, "mptest test \x1b]0;pwned\a").ok());
  absl::StatusOr<FileLock> second = LockResultsDir(Tmp("./res/"), /*create=*/false);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(), HasSubstr("is in use by another mptest"));
  EXPECT_THAT(second.status().message(),
              HasSubstr("held by pid " + std::to_string(getpid()) + ": mptest test"));
  // What is read back from the marker is escaped: no terminal escape reaches the message.
  EXPECT_EQ(std::string(second.status().message()).find('\x1b'), std::string::npos);
  EXPECT_THAT(second.status().message(), HasSubstr("\\x1b]0;pwned"));
}

TEST(ResultsDirTest, TheInventoryHoldersTextIsEscapedWhenReadBack) {
  std::string inventory = Tmp("inv3.textproto");
  std::ofstream(inventory) << "name: \"x\"";
  absl::StatusOr<std::string> locks = LockDirectory(Tmp("locks3"));
  ASSERT_TRUE(locks.ok()) << locks.status();
  absl::StatusOr<FileLock> first = LockInventory(inventory, *locks, "evil \x1b]0;pwned\a");
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<FileLock> second = LockInventory(inventory, *locks, "x");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(std::string(second.status().message()).find('\x1b'), std::string::npos);
  EXPECT_THAT(second.status().message(), HasSubstr("\\x1b]0;pwned"));
}

TEST(ResultsDirTest, SymlinkPlantedAsTheLockFileIsNotFollowed) {
  absl::StatusOr<std::string> locks = LockDirectory(Tmp("locks4"));
  ASSERT_TRUE(locks.ok()) << locks.status();
  const std::string victim = Tmp("victim");
  std::ofstream(victim) << "precious";
  const std::string inventory = Tmp("inv4.textproto");
  std::ofstream(inventory) << "name: \"x\"";
  // Plant a link under the name the lock takes: take it once to learn the name.
  std::string lock_path;
  {
    absl::StatusOr<FileLock> probe = LockInventory(inventory, *locks, "probe");
    ASSERT_TRUE(probe.ok());
  }
  for (const auto& entry : std::filesystem::directory_iterator(*locks)) lock_path = entry.path();
  ASSERT_FALSE(lock_path.empty());
  ASSERT_EQ(unlink(lock_path.c_str()), 0);
  ASSERT_EQ(symlink(victim.c_str(), lock_path.c_str()), 0);
  absl::StatusOr<FileLock> lock = LockInventory(inventory, *locks, "mptest test");
  EXPECT_FALSE(lock.ok());
  std::ifstream in(victim);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "precious");
}

TEST(ResultsDirTest, RootAsResultsDirectoryIsRefusedByName) {
  absl::StatusOr<std::string> result = PrepareResultsDir("/");
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(result.status().message(), HasSubstr("--testresults: / is not empty"));
}

}  // namespace
}  // namespace mptest::cli
