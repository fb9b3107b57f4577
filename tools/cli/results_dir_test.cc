// The results directory is moved aside, never deleted; a foreign one is refused; the lock names
// its holder.
#include "tools/cli/results_dir.h"

#include <sys/stat.h>

#include <fstream>

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
  absl::StatusOr<CampaignLock> first = CampaignLock::Acquire(inventory, Tmp("locks"));
  ASSERT_TRUE(first.ok());
  absl::StatusOr<CampaignLock> second = CampaignLock::Acquire(inventory, Tmp("locks"));
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(), HasSubstr("(pid " + std::to_string(getpid()) + ")"));
}

}  // namespace
}  // namespace mptest::cli
