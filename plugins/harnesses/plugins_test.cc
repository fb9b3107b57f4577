// Loads the harness plugins and the micropython_make builder plugin the way mptest does (the
// registry, with the child checker) and runs each through the C ABI against the fake tree.
#include <cstdlib>
#include <filesystem>

#include "core/gitspec/test_repo.h"
#include "core/plugin/registry.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest {
namespace {

namespace fs = std::filesystem;
using ::mptest::testing::NewTempDir;
using ::testing::HasSubstr;

std::string Runfile(const std::string& path) {
  return std::string(std::getenv("TEST_SRCDIR")) + "/mptest/" + path;
}

plugin::PluginRegistry LoadMine() {
  plugin::PluginSearchOptions options;
  options.checker = Runfile("core/plugin/mptest_plugin_check");
  options.check_timeout = absl::Seconds(30);
  for (const char* name :
       {"run_tests", "run_multitests", "run_perfbench", "run_natmodtests", "native"}) {
    options.builtin_files.push_back(Runfile(std::string("plugins/harnesses/lib") + name + ".so"));
  }
  options.builtin_files.push_back(
      Runfile("plugins/builders/micropython_make/libmicropython_make.so"));
  return plugin::PluginRegistry::Load(options);
}

TEST(PluginsTest, EveryPluginLoads) {
  plugin::PluginRegistry registry = LoadMine();
  for (const plugin::PluginRecord& record : registry.records()) {
    EXPECT_TRUE(record.status.ok()) << record.path << ": " << record.status;
  }
  for (const char* name :
       {"run_tests", "run_multitests", "run_perfbench", "run_natmodtests", "native"}) {
    EXPECT_TRUE(registry.NewHarness(name).ok()) << name;
  }
  EXPECT_TRUE(registry.NewBuilder("micropython_make").ok());
}

TEST(PluginsTest, RunTestsThroughThePlugin) {
  plugin::PluginRegistry registry = LoadMine();
  absl::StatusOr<std::unique_ptr<Harness>> harness = registry.NewHarness("run_tests");
  ASSERT_TRUE(harness.ok()) << harness.status();
  const std::string tests_dir = NewTempDir("mp") + "/tests";
  fs::copy("testdata/fake_micropython/tests", tests_dir, fs::copy_options::recursive);
  proto::HarnessRequest request;
  request.mutable_spec()->set_label("RUN-TESTS_STANDARD");
  request.add_tentacles()->set_console("/dev/ttyFAKE0");
  request.set_tests_dir(tests_dir);
  request.set_result_dir(NewTempDir("results"));
  absl::StatusOr<proto::HarnessResult> result = (*harness)->Run(request);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcomes_size(), 4);
  // Errors cross the boundary with their code and message.
  request.set_tests_dir(NewTempDir("empty"));
  absl::StatusOr<proto::HarnessResult> missing = (*harness)->Run(request);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("run-tests.py does not exist"));
}

TEST(PluginsTest, BuildThroughThePlugin) {
  plugin::PluginRegistry registry = LoadMine();
  absl::StatusOr<std::unique_ptr<Builder>> builder = registry.NewBuilder("micropython_make");
  ASSERT_TRUE(builder.ok()) << builder.status();
  const std::string tree = NewTempDir("mp");
  fs::copy("testdata/fake_micropython", tree, fs::copy_options::recursive);
  proto::BuildRequest request;
  request.set_source(tree);
  request.mutable_board()->set_name("PYBV11");
  request.mutable_board()->set_port("stm32");
  request.set_output_dir(NewTempDir("out"));
  request.set_cache_dir(NewTempDir("cache"));
  absl::StatusOr<proto::Firmware> firmware = (*builder)->Build(request);
  ASSERT_TRUE(firmware.ok()) << firmware.status();
  EXPECT_EQ(firmware->kind(), "dfu");
  EXPECT_TRUE(fs::exists(firmware->path()));
  EXPECT_THAT(firmware->version(), HasSubstr("PYBV11;3.4.0; MicroPython "));
}

}  // namespace
}  // namespace mptest
