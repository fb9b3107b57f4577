// Tests of PluginRegistry: search, the child check and its cache, world-writable directories,
// duplicate names, and lookups by name and kind. Each bad fixture of testdata/plugins is
// rejected with its own message while the good plugins stay usable.
#include "core/plugin/registry.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "core/plugin/test_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::plugin {
namespace {

using ::mptest::plugin::testing::CopyFile;
using ::mptest::plugin::testing::FixturePath;
using ::mptest::plugin::testing::NewTempDir;
using ::testing::HasSubstr;

std::string CheckerPath() {
  return std::string(std::getenv("TEST_SRCDIR")) + "/mptest/core/plugin/mptest_plugin_check";
}

// A directory holding copies of the named fixtures.
std::string PluginDir(const std::string& dir_name, const std::vector<std::string>& fixtures) {
  std::string dir = NewTempDir(dir_name);
  for (const std::string& fixture : fixtures) {
    CopyFile(FixturePath(fixture), dir + "/lib" + fixture + ".so");
  }
  return dir;
}

PluginSearchOptions Options(const std::vector<std::string>& dirs) {
  PluginSearchOptions options;
  options.plugin_path = dirs;
  options.checker = CheckerPath();
  options.check_timeout = absl::Seconds(30);
  return options;
}

const PluginRecord* FindRecord(const PluginRegistry& registry, const std::string& path) {
  for (const PluginRecord& record : registry.records()) {
    if (record.path == path) return &record;
  }
  return nullptr;
}

void ExpectRejected(const PluginRegistry& registry, const std::string& path,
                    const std::string& cause) {
  const PluginRecord* record = FindRecord(registry, path);
  ASSERT_NE(record, nullptr) << path << " was not looked at";
  EXPECT_FALSE(record->status.ok()) << path;
  EXPECT_THAT(record->status.message(), HasSubstr(path));
  EXPECT_THAT(record->status.message(), HasSubstr(cause));
}

TEST(RegistryTest, BadPluginsAreRejectedAndTheRestAreUsed) {
  const std::string dir =
      PluginDir("mixed", {"good_board", "good_builder", "good_harness", "no_entry", "wrong_abi",
                          "init_fails", "init_crashes", "missing_function", "not_a_shared_object",
                          "truncated", "duplicate_protos"});
  PluginRegistry registry = PluginRegistry::Load(Options({dir}));
  ASSERT_EQ(registry.records().size(), 11u);

  ExpectRejected(registry, dir + "/libno_entry.so", "no symbol mptest_plugin_entry");
  ExpectRejected(registry, dir + "/libwrong_abi.so", "built for ABI 99, this mptest supports 1");
  ExpectRejected(registry, dir + "/libinit_fails.so", "init failed (code 14): the bench power");
  // SIGSEGV, or SIGABRT when a sanitizer's handler reports the fault first.
  ExpectRejected(registry, dir + "/libinit_crashes.so", "crashed while loading (killed by SIG");
  ExpectRejected(registry, dir + "/libmissing_function.so", "board_driver.flash is NULL");
  ExpectRejected(registry, dir + "/libnot_a_shared_object.so", "not a shared object");
  ExpectRejected(registry, dir + "/libtruncated.so", "truncated: the file has 1000 bytes");
  ExpectRejected(registry, dir + "/libduplicate_protos.so", "File already exists in database");

  auto driver = registry.NewBoardDriver("good_board");
  ASSERT_TRUE(driver.ok()) << driver.status();
  auto started = (*driver)->Start(proto::Tentacle());
  ASSERT_TRUE(started.ok()) << started.status();
  EXPECT_EQ(started->runtime().at("started_by"), "good_board");
  EXPECT_TRUE(registry.NewBuilder("good_builder").ok());
  EXPECT_TRUE(registry.NewHarness("good_harness").ok());

  const PluginRecord* board = FindRecord(registry, dir + "/libgood_board.so");
  ASSERT_NE(board, nullptr);
  EXPECT_EQ(board->origin, "--plugin_path");
  EXPECT_EQ(board->version, "1.2.3");
  EXPECT_EQ(board->abi_version, 1u);
}

TEST(RegistryTest, LookupsByNameSayWhatIsWrong) {
  const std::string dir = PluginDir("lookups", {"good_board", "init_fails", "no_entry"});
  PluginRegistry registry = PluginRegistry::Load(Options({dir}));
  EXPECT_TRUE(registry.Check("good_board").ok());

  absl::Status status = registry.Check("init_fails");  // known by its name
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("plugin 'init_fails' is unusable: "));
  EXPECT_THAT(status.message(), HasSubstr("the bench power supply is off"));

  status = registry.Check("no_entry");  // known only by its file name
  EXPECT_THAT(status.message(), HasSubstr("no symbol mptest_plugin_entry"));

  status = registry.Check("esp32");
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("no plugin named 'esp32'; available: good_board"));

  auto builder = registry.NewBuilder("good_board");
  EXPECT_EQ(builder.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(builder.status().message(), HasSubstr("is a board_driver, not a builder"));
}

TEST(RegistryTest, WorldWritableDirectoryIsRefused) {
  const std::string dir = PluginDir("open_to_all", {"good_board"});
  ASSERT_EQ(chmod(dir.c_str(), 0777), 0);
  PluginRegistry registry = PluginRegistry::Load(Options({dir}));
  ASSERT_EQ(registry.records().size(), 1u);  // the directory; its contents are not looked at
  EXPECT_EQ(registry.records()[0].status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(registry.records()[0].status.message(),
              HasSubstr("plugin directory " + dir + " is world-writable (mode 0777)"));
  EXPECT_THAT(registry.records()[0].status.message(), HasSubstr("chmod o-w " + dir));
  EXPECT_FALSE(registry.Check("good_board").ok());
}

TEST(RegistryTest, WorldWritablePluginFileIsRefused) {
  const std::string dir = PluginDir("open_file", {"good_board"});
  ASSERT_EQ(chmod((dir + "/libgood_board.so").c_str(), 0666), 0);
  PluginRegistry registry = PluginRegistry::Load(Options({dir}));
  ExpectRejected(registry, dir + "/libgood_board.so", "is world-writable (mode 0666)");
}

TEST(RegistryTest, DuplicateNamesAreRejectedFirstOneWins) {
  const std::string first = PluginDir("first", {"good_board"});
  const std::string second = PluginDir("second", {"good_board"});
  PluginSearchOptions options = Options({first});
  options.env_plugin_path = {second};
  PluginRegistry registry = PluginRegistry::Load(options);
  ExpectRejected(
      registry, second + "/libgood_board.so",
      "duplicate plugin name 'good_board': already provided by " + first + "/libgood_board.so");
  EXPECT_EQ(FindRecord(registry, second + "/libgood_board.so")->origin, "MPTEST_PLUGIN_PATH");
  EXPECT_TRUE(registry.NewBoardDriver("good_board").ok());
}

TEST(RegistryTest, PluginThatHangsWhileLoadingIsReported) {
  const std::string dir = PluginDir("hang", {"init_hangs", "good_builder"});
  PluginSearchOptions options = Options({dir});
  options.check_timeout = absl::Milliseconds(300);
  PluginRegistry registry = PluginRegistry::Load(options);
  ExpectRejected(registry, dir + "/libinit_hangs.so", "hung while loading (timed out after");
  EXPECT_TRUE(registry.Check("good_builder").ok());
}

TEST(RegistryTest, NamesAreUniquePerKind) {
  const std::string dir = PluginDir("per_kind", {"good_board", "shared_name_builder"});
  PluginRegistry registry = PluginRegistry::Load(Options({dir}));
  for (const PluginRecord& record : registry.records()) {
    EXPECT_TRUE(record.status.ok()) << record.status;
  }
  auto builder = registry.NewBuilder("good_board");
  ASSERT_TRUE(builder.ok()) << builder.status();
  EXPECT_EQ((*builder)->Build(proto::BuildRequest())->kind(), "shared");
  EXPECT_TRUE(registry.NewBoardDriver("good_board").ok());
  EXPECT_THAT(registry.NewHarness("good_board").status().message(),
              HasSubstr("is a board_driver, not a harness"));
}

TEST(RegistryTest, VerdictsAreCachedByFileIdentity) {
  const std::string dir = PluginDir("cached", {"good_builder", "init_crashes"});
  PluginSearchOptions options = Options({dir});
  options.verdict_cache = NewTempDir("cache") + "/sub/verdicts.txt";
  PluginRegistry first = PluginRegistry::Load(options);
  EXPECT_TRUE(first.Check("good_builder").ok());
  ExpectRejected(first, dir + "/libinit_crashes.so", "crashed while loading");

  // With the checker gone, cached verdicts still decide: nothing is checked again...
  options.checker = "/nonexistent/mptest_plugin_check";
  PluginRegistry second = PluginRegistry::Load(options);
  EXPECT_TRUE(second.Check("good_builder").ok());
  ExpectRejected(second, dir + "/libinit_crashes.so", "crashed while loading");

  // ...until a file changes: then it must be checked again, and cannot be.
  {
    std::ofstream append(dir + "/libgood_builder.so", std::ios::app | std::ios::binary);
    append << "changed";
  }
  PluginRegistry third = PluginRegistry::Load(options);
  ExpectRejected(third, dir + "/libgood_builder.so", "not checked: cannot run the plugin checker");
}

TEST(RegistryTest, InitializeErrorFromTheSdkRejectsThePlugin) {
  const std::string dir = PluginDir("sdk_init", {"good_harness"});
  setenv("MPTEST_TEST_HARNESS_FAIL_INIT", "1", 1);
  PluginRegistry registry = PluginRegistry::Load(Options({dir}));
  unsetenv("MPTEST_TEST_HARNESS_FAIL_INIT");
  ExpectRejected(registry, dir + "/libgood_harness.so",
                 "init failed (code 9): MPTEST_TEST_HARNESS_FAIL_INIT is set");
}

TEST(RegistryTest, MissingDirectoryIsReported) {
  PluginRegistry registry = PluginRegistry::Load(Options({"/nonexistent/plugins"}));
  ASSERT_EQ(registry.records().size(), 1u);
  EXPECT_THAT(registry.records()[0].status.message(),
              HasSubstr("plugin directory /nonexistent/plugins: No such file or directory"));
}

class FakeHarness : public Harness {
 public:
  absl::StatusOr<proto::HarnessResult> Run(const proto::HarnessRequest&) override {
    proto::HarnessResult result;
    result.set_results_json("fake");
    return result;
  }
};

TEST(RegistryTest, InProcessPluginsLookLikeLoadedOnes) {
  const std::string dir = PluginDir("in_process", {"good_board"});
  PluginRegistry registry = PluginRegistry::Load(Options({dir}));
  ASSERT_TRUE(registry
                  .AddInProcess({"fake_harness", "1", "a fake", nullptr, nullptr,
                                 [] { return std::make_unique<FakeHarness>(); }})
                  .ok());
  auto harness = registry.NewHarness("fake_harness");
  ASSERT_TRUE(harness.ok()) << harness.status();
  EXPECT_EQ((*harness)->Run(proto::HarnessRequest())->results_json(), "fake");

  absl::Status duplicate = registry.AddInProcess(
      {"fake_harness", "2", "", nullptr, nullptr, [] { return std::make_unique<FakeHarness>(); }});
  EXPECT_EQ(duplicate.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(duplicate.message(), HasSubstr("already provided by (in-process)"));
  // Another kind under a taken name is fine: lookups are per kind.
  EXPECT_TRUE(registry
                  .AddInProcess({"good_board", "1", "", nullptr, nullptr,
                                 [] { return std::make_unique<FakeHarness>(); }})
                  .ok());
  EXPECT_EQ(registry.AddInProcess({"Bad-Name", "1", "", nullptr, nullptr, nullptr}).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mptest::plugin
