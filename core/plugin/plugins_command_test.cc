// Tests of `mptest plugins` (RunPluginsCommand) with options built the way mptest builds them
// (SearchOptionsFromFlags): --plugin_path, MPTEST_PLUGIN_PATH and a built-in set in runfiles.
#include "core/plugin/plugins_command.h"

#include <cstdlib>
#include <sstream>

#include "absl/flags/flag.h"
#include "core/plugin/flags.h"
#include "core/plugin/test_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::plugin {
namespace {

using ::mptest::plugin::testing::CopyFile;
using ::mptest::plugin::testing::FixturePath;
using ::mptest::plugin::testing::NewTempDir;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kTestManifest[] = "mptest/core/plugin/test_builtin_plugins.txt";

class PluginsCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    const std::string root = NewTempDir("case" + std::to_string(++counter));
    flag_dir_ = root + "/flag";
    env_dir_ = root + "/env";
    NewTempDir("case" + std::to_string(counter) + "/flag");
    NewTempDir("case" + std::to_string(counter) + "/env");
    CopyFile(FixturePath("good_board"), flag_dir_ + "/libgood_board.so");
    CopyFile(FixturePath("wrong_abi"), env_dir_ + "/libwrong_abi.so");
    absl::SetFlag(&FLAGS_plugin_path, flag_dir_);
    setenv("MPTEST_PLUGIN_PATH", env_dir_.c_str(), 1);
    setenv("XDG_CACHE_HOME", (root + "/cache").c_str(), 1);
  }
  void TearDown() override {
    absl::SetFlag(&FLAGS_plugin_path, "");
    unsetenv("MPTEST_PLUGIN_PATH");
  }

  int Run(const std::vector<std::string>& names, std::string* output) {
    PluginsCommandOptions options{SearchOptionsFromFlags("", kTestManifest), names};
    std::ostringstream out;
    int code = RunPluginsCommand(options, out);
    *output = out.str();
    return code;
  }

  std::string flag_dir_;
  std::string env_dir_;
};

TEST_F(PluginsCommandTest, SearchOptionsComeFromFlagEnvironmentAndRunfiles) {
  PluginSearchOptions options = SearchOptionsFromFlags("", kTestManifest);
  EXPECT_EQ(options.plugin_path, std::vector<std::string>{flag_dir_});
  EXPECT_EQ(options.env_plugin_path, std::vector<std::string>{env_dir_});
  ASSERT_EQ(options.builtin_files.size(), 2u);
  EXPECT_THAT(options.builtin_files[0], HasSubstr("testdata/plugins/libgood_builder.so"));
  EXPECT_THAT(options.checker, HasSubstr("core/plugin/mptest_plugin_check"));
  EXPECT_THAT(options.verdict_cache, HasSubstr("/cache/mptest/plugin-verdicts.txt"));
}

TEST_F(PluginsCommandTest, ListsUsableAndRejectedPlugins) {
  std::string output;
  EXPECT_EQ(Run({}, &output), 0) << output;
  EXPECT_THAT(output, ContainsRegex("NAME +KINDS +VERSION +ABI +ORIGIN +FILE"));
  EXPECT_THAT(output, ContainsRegex("good_board +board_driver +1\\.2\\.3 +1 +--plugin_path +" +
                                    flag_dir_ + "/libgood_board.so"));
  EXPECT_THAT(output, ContainsRegex("good_builder +builder +0\\.1\\.0 +1 +built-in +"));
  EXPECT_THAT(output, ContainsRegex("good_harness +harness +2\\.0\\.0 +1 +built-in +"));
  EXPECT_THAT(output, HasSubstr("Rejected:\n  " + env_dir_ +
                                "/libwrong_abi.so: built for ABI 99, this mptest supports 1 "
                                "[MPTEST_PLUGIN_PATH]"));
}

TEST_F(PluginsCommandTest, ExitsTwoOnlyWhenANamedPluginFailed) {
  std::string output;
  EXPECT_EQ(Run({"good_board"}, &output), 0) << output;
  EXPECT_THAT(output, HasSubstr("good_board"));
  EXPECT_THAT(output, Not(HasSubstr("wrong_abi")));

  EXPECT_EQ(Run({"wrong_abi"}, &output), 2) << output;
  EXPECT_THAT(output, HasSubstr("No usable plugins of those named."));
  EXPECT_THAT(output, HasSubstr("mptest plugins: plugin 'wrong_abi' is unusable: " + env_dir_ +
                                "/libwrong_abi.so: built for ABI 99"));

  EXPECT_EQ(Run({"esp32"}, &output), 2) << output;
  EXPECT_THAT(output, HasSubstr("no plugin named 'esp32'; available: good_board, good_builder, "
                                "good_harness"));
}

}  // namespace
}  // namespace mptest::plugin
