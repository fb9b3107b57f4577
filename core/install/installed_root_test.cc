// InstalledRunfilesRoot finds <prefix>/lib beside <prefix>/bin only when it holds mptest/.
#include "core/install/installed_root.h"

#include <cstdlib>
#include <filesystem>
#include <string>

#include "gtest/gtest.h"

namespace mptest::install {
namespace {

std::string MakeDirs(const std::string& path) {
  std::filesystem::create_directories(path);
  return path;
}

TEST(InstalledRootTest, BinaryBesideLibMptestUsesLibAsRunfilesRoot) {
  const std::string prefix = MakeDirs(std::string(std::getenv("TEST_TMPDIR")) + "/installed");
  MakeDirs(prefix + "/bin");
  MakeDirs(prefix + "/lib/mptest/plugins");
  EXPECT_EQ(InstalledRunfilesRoot(prefix + "/bin/mptest"), prefix + "/lib");
}

TEST(InstalledRootTest, BinaryWithoutInstalledTreeHasNone) {
  const std::string prefix = MakeDirs(std::string(std::getenv("TEST_TMPDIR")) + "/bare");
  MakeDirs(prefix + "/bin");
  MakeDirs(prefix + "/lib");  // a lib/ of other things is not an installed mptest
  EXPECT_EQ(InstalledRunfilesRoot(prefix + "/bin/mptest"), "");
  EXPECT_EQ(InstalledRunfilesRoot("mptest"), "");
}

TEST(InstalledRootTest, TestBinaryRunByBazelIsNotInstalled) {
  EXPECT_NE(SelfExecutable(), "");
  EXPECT_EQ(InstalledRunfilesRoot(), "");
}

TEST(InstalledRootTest, CacheDirectoryFollowsXdgThenHome) {
  setenv("XDG_CACHE_HOME", "/x/cache", 1);
  setenv("HOME", "/home/u", 1);
  EXPECT_EQ(UserCacheDirectory(), "/x/cache/mptest");
  setenv("XDG_CACHE_HOME", "", 1);  // set but empty: as if unset (the XDG rule)
  EXPECT_EQ(UserCacheDirectory(), "/home/u/.cache/mptest");
  unsetenv("XDG_CACHE_HOME");
  unsetenv("HOME");
  EXPECT_EQ(UserCacheDirectory(), "");
}

}  // namespace
}  // namespace mptest::install
