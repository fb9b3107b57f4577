// The private directory is made 0700 and refused when it is a symlink, someone else's, or open
// to group or others: what an attacker who pre-creates /tmp/mptest-<uid> would leave.
#include "core/process/private_dir.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::process {
namespace {

using ::testing::HasSubstr;

std::string Tmp(const std::string& name) { return std::string(getenv("TEST_TMPDIR")) + "/" + name; }

TEST(PrivateDirTest, MissingDirectoryIsMadeOwnerOnly) {
  const std::string dir = Tmp("fresh");
  ASSERT_TRUE(EnsurePrivateDirectory(dir).ok());
  struct stat info;
  ASSERT_EQ(lstat(dir.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0700u);
  EXPECT_TRUE(EnsurePrivateDirectory(dir).ok());  // and again: it exists and is fine
}

TEST(PrivateDirTest, GroupOrOtherAccessIsRefusedNamingIt) {
  const std::string dir = Tmp("open");
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  ASSERT_EQ(chmod(dir.c_str(), 0777), 0);
  absl::Status status = EnsurePrivateDirectory(dir);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr(dir));
  EXPECT_THAT(status.message(), HasSubstr("mode 0777"));
}

TEST(PrivateDirTest, SymlinkIsRefusedEvenToAGoodDirectory) {
  const std::string target = Tmp("target");
  ASSERT_EQ(mkdir(target.c_str(), 0700), 0);
  const std::string link = Tmp("link");
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0);
  absl::Status status = EnsurePrivateDirectory(link);
  EXPECT_THAT(status.message(), HasSubstr("symbolic link"));
}

TEST(PrivateDirTest, AnotherUsersDirectoryIsRefused) {
  // As root: a directory given to nobody. Otherwise "/", which is root's.
  std::string dir = "/";
  uid_t owner = 0;
  if (geteuid() == 0) {
    dir = Tmp("theirs");
    owner = 65534;
    ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
    ASSERT_EQ(chown(dir.c_str(), owner, owner), 0);
  }
  absl::Status status = EnsurePrivateDirectory(dir);
  EXPECT_THAT(status.message(), HasSubstr("belongs to uid " + std::to_string(owner)));
}

TEST(PrivateDirTest, DefaultIsUnderXdgRuntimeDir) {
  const std::string runtime = Tmp("runtime");
  ASSERT_EQ(mkdir(runtime.c_str(), 0700), 0);
  setenv("XDG_RUNTIME_DIR", runtime.c_str(), 1);
  absl::StatusOr<std::string> dir = DefaultPrivateDirectory();
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ(*dir, runtime + "/mptest");
}

}  // namespace
}  // namespace mptest::process
