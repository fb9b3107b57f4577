// Tests of plugin file discovery: path lists, directory listings, manifests, permissions.
#include "core/plugin/search.h"

#include <sys/stat.h>

#include <fstream>

#include "core/plugin/test_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::plugin {
namespace {

using ::mptest::plugin::testing::NewTempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

void Touch(const std::string& path) { std::ofstream(path) << "x"; }

TEST(SearchTest, SplitPathListDropsEmptyElements) {
  EXPECT_THAT(SplitPathList("a::b:"), ElementsAre("a", "b"));
  EXPECT_TRUE(SplitPathList("").empty());
}

TEST(SearchTest, ListsSharedObjectsSorted) {
  const std::string dir = NewTempDir("listing");
  for (const char* name : {"libz.so", "liba.so", "notes.txt", "libb.so.1", ".so"}) {
    Touch(dir + "/" + name);
  }
  absl::StatusOr<std::vector<std::string>> files = ListPluginFiles(dir + "/");
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_THAT(*files, ElementsAre(dir + "/liba.so", dir + "/libz.so"));
}

TEST(SearchTest, APluginFileNamedItselfIsTheOneFile) {
  const std::string dir = NewTempDir("single");
  Touch(dir + "/libone.so");
  Touch(dir + "/libother.so");
  absl::StatusOr<std::vector<std::string>> files = ListPluginFiles(dir + "/libone.so");
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_THAT(*files, ElementsAre(dir + "/libone.so"));
  ASSERT_EQ(chmod((dir + "/libone.so").c_str(), 0666), 0);
  EXPECT_THAT(ListPluginFiles(dir + "/libone.so").status().message(),
              HasSubstr("plugin file " + dir + "/libone.so is world-writable"));
}

TEST(SearchTest, RefusesWorldWritableDirectories) {
  const std::string dir = NewTempDir("shared");
  ASSERT_EQ(chmod(dir.c_str(), 01777), 0);  // even with the sticky bit, as /tmp has
  absl::StatusOr<std::vector<std::string>> files = ListPluginFiles(dir);
  EXPECT_EQ(files.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(files.status().message(), HasSubstr("is world-writable (mode 1777)"));
  EXPECT_EQ(ListPluginFiles(dir + "/missing").status().code(), absl::StatusCode::kNotFound);
}

TEST(SearchTest, ReadsManifests) {
  const std::string dir = NewTempDir("manifest");
  std::ofstream(dir + "/set.txt") << "# comment\n\nmptest/plugins/a/liba.so\n  mptest/b.so  \n";
  EXPECT_THAT(*ReadPluginManifest(dir + "/set.txt"),
              ElementsAre("mptest/plugins/a/liba.so", "mptest/b.so"));
  EXPECT_THAT(ReadPluginManifest(dir + "/none.txt").status().message(),
              HasSubstr("built-in plugin manifest " + dir + "/none.txt: cannot read"));
}

}  // namespace
}  // namespace mptest::plugin
