// Builds fixed_port_board.cc the way someone outside this workspace would, with /usr/bin/g++
// against the packaged SDK (//core/api:sdk) and no Bazel, then loads it with mptest's registry:
// proof that a new board type needs neither the scheduler nor the build of mptest.
#include <cstdlib>
#include <string>

#include "absl/strings/str_split.h"
#include "core/plugin/registry.h"
#include "core/plugin/test_fixtures.h"
#include "core/process/subprocess.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::examples {
namespace {

using ::mptest::plugin::testing::NewTempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Runfile(const std::string& path) {
  return std::string(std::getenv("TEST_SRCDIR")) + "/mptest/" + path;
}

process::CommandResult MustRun(const std::vector<std::string>& argv) {
  process::CommandOptions options;
  options.argv = argv;
  options.timeout = absl::Minutes(4);
  absl::StatusOr<process::CommandResult> result = process::RunCommand(options);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : process::CommandResult();
}

// The dynamic symbols a shared object defines.
std::vector<std::string> ExportedSymbols(const std::string& library) {
  process::CommandResult nm =
      MustRun({"/usr/bin/nm", "-D", "--defined-only", "--format=just-symbols", library});
  EXPECT_TRUE(nm.ok()) << nm.output;
  return absl::StrSplit(nm.output, '\n', absl::SkipWhitespace());
}

TEST(OutOfTreeTest, PluginBuiltWithPlainGxxLoadsAndRuns) {
  const std::string sdk = Runfile("core/api/sdk");
  const std::string plugin_dir = NewTempDir("plugins");
  const std::string library = plugin_dir + "/libfixed_port.so";
  process::CommandResult gxx =
      MustRun({"/usr/bin/g++", "-std=c++17", "-O1", "-fPIC", "-shared", "-fvisibility=hidden",
               "-Wall", "-Wextra", "-Werror", "-I", sdk + "/include",
               Runfile("plugins/examples/out_of_tree/fixed_port_board.cc"), "-o", library,
               "-Wl,--version-script=" + sdk + "/plugin.lds", "-lprotobuf", "-labsl_statusor",
               "-labsl_status"});
  ASSERT_TRUE(gxx.ok()) << gxx.Describe() << "\n" << gxx.output;
  EXPECT_THAT(ExportedSymbols(library), ElementsAre("mptest_plugin_entry"));

  plugin::PluginSearchOptions options;
  options.plugin_path = {plugin_dir};
  options.checker = Runfile("core/plugin/mptest_plugin_check");
  plugin::PluginRegistry registry = plugin::PluginRegistry::Load(options);
  absl::StatusOr<std::unique_ptr<BoardDriver>> driver = registry.NewBoardDriver("fixed_port");
  ASSERT_TRUE(driver.ok()) << driver.status();

  proto::DiscoverRequest discover;
  proto::InventoryEntry* entry = discover.mutable_inventory()->add_tentacles();
  entry->set_label("pico-on-hub");
  entry->set_board("RPI_PICO");
  (*entry->mutable_tags())["port"] = "/dev/null";
  discover.add_boards()->set_name("RPI_PICO");
  absl::StatusOr<proto::DiscoverResponse> found = (*driver)->Discover(discover);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->tentacles_size(), 1);
  EXPECT_EQ(found->tentacles(0).console(), "/dev/null");
  EXPECT_EQ(found->tentacles(0).board().name(), "RPI_PICO");
  absl::StatusOr<proto::Tentacle> started = (*driver)->Start(found->tentacles(0));
  ASSERT_TRUE(started.ok()) << started.status();
  EXPECT_EQ(started->state(), "ready");

  proto::FlashRequest flash;
  *flash.mutable_tentacle() = *started;
  flash.mutable_firmware()->set_path("/tmp/firmware.uf2");
  absl::Status flashed = (*driver)->Flash(flash);
  EXPECT_EQ(flashed.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(flashed.message(), HasSubstr("flash /tmp/firmware.uf2 onto pico-on-hub yourself"));
}

TEST(OutOfTreeTest, InTreePluginsExportOnlyTheEntrySymbol) {
  EXPECT_THAT(ExportedSymbols(Runfile("plugins/examples/example_board/libexample_board.so")),
              ElementsAre("mptest_plugin_entry"));
}

}  // namespace
}  // namespace mptest::examples
