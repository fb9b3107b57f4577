// Tests of VerdictCache and FileIdentity: round trip, identity changes, stale or broken files.
#include "core/plugin/verdict_cache.h"

#include <fstream>

#include "core/plugin/test_fixtures.h"
#include "gtest/gtest.h"

namespace mptest::plugin {
namespace {

using ::mptest::plugin::testing::NewTempDir;

void Write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

TEST(VerdictCacheTest, RoundTripsVerdictsWithAwkwardMessages) {
  const std::string dir = NewTempDir("round_trip");
  const std::string plugin = dir + "/lib\tweird.so";
  Write(plugin, "x");
  absl::StatusOr<FileIdentity> identity = FileIdentity::Of(plugin);
  ASSERT_TRUE(identity.ok());
  VerdictCache cache = VerdictCache::Load(dir + "/a/b/cache.txt");
  EXPECT_FALSE(cache.Find(plugin, *identity).has_value());
  cache.Put(plugin, *identity, {false, "line one\nline\ttwo \\ three"});
  ASSERT_TRUE(cache.Save().ok());

  VerdictCache loaded = VerdictCache::Load(dir + "/a/b/cache.txt");
  std::optional<CheckVerdict> verdict = loaded.Find(plugin, *identity);
  ASSERT_TRUE(verdict.has_value());
  EXPECT_FALSE(verdict->ok);
  EXPECT_EQ(verdict->message, "line one\nline\ttwo \\ three");
  EXPECT_FALSE(loaded.Find(dir + "/other.so", *identity).has_value());
}

TEST(VerdictCacheTest, IdentityChangesWithTheFile) {
  const std::string dir = NewTempDir("identity");
  Write(dir + "/p.so", "one");
  absl::StatusOr<FileIdentity> before = FileIdentity::Of(dir + "/p.so");
  Write(dir + "/p.so", "three");
  absl::StatusOr<FileIdentity> after = FileIdentity::Of(dir + "/p.so");
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_NE(before->Key(), after->Key());
  EXPECT_FALSE(FileIdentity::Of(dir + "/missing.so").ok());
}

TEST(VerdictCacheTest, StaleOrBrokenFilesAreIgnored) {
  const std::string dir = NewTempDir("stale");
  Write(dir + "/p.so", "x");
  FileIdentity identity = *FileIdentity::Of(dir + "/p.so");
  const std::string line = identity.Key() + "\tok\t" + dir + "/p.so\t\n";
  Write(dir + "/old.txt", "mptest-plugin-verdicts abi=0 mptest=0.0.1\n" + line);
  EXPECT_FALSE(VerdictCache::Load(dir + "/old.txt").Find(dir + "/p.so", identity).has_value());

  VerdictCache fresh = VerdictCache::Load(dir + "/fresh.txt");
  fresh.Put(dir + "/p.so", identity, {true, ""});
  ASSERT_TRUE(fresh.Save().ok());
  std::ifstream in(dir + "/fresh.txt");
  std::string header;
  std::getline(in, header);
  Write(dir + "/broken.txt", header + "\nnot a verdict\n" + line);
  VerdictCache broken = VerdictCache::Load(dir + "/broken.txt");
  ASSERT_TRUE(broken.Find(dir + "/p.so", identity).has_value());
  EXPECT_TRUE(broken.Find(dir + "/p.so", identity)->ok);
}

}  // namespace
}  // namespace mptest::plugin
