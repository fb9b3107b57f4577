// Tests of LoadPlugin and the adapters against the fixtures in testdata/plugins: three good
// plugins sharing the core's messages with the core, and each bad plugin's message.
#include "core/plugin/loader.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/plugin/adapters.h"
#include "core/plugin/test_fixtures.h"
#include "core/proto/tentacle.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::plugin {
namespace {

using ::mptest::plugin::testing::FixturePath;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::shared_ptr<const LoadedPlugin> MustLoad(const std::string& name) {
  auto plugin = LoadPlugin(FixturePath(name));
  EXPECT_TRUE(plugin.ok()) << plugin.status();
  return plugin.ok() ? *plugin : nullptr;
}

TEST(LoaderTest, ThreePluginsAndTheCoreShareOneCopyOfTheMessages) {
  // The core uses the messages before and after the plugins are loaded: a second copy of the
  // generated code in any plugin would abort in LoadPlugin ("File already exists in database").
  proto::Tentacle core_tentacle;
  core_tentacle.mutable_entry()->set_label("core-1");
  auto board = MustLoad("good_board");
  auto builder = MustLoad("good_builder");
  auto harness = MustLoad("good_harness");
  ASSERT_TRUE(board && builder && harness);

  EXPECT_EQ(board->name(), "good_board");
  EXPECT_EQ(board->version(), "1.2.3");
  EXPECT_EQ(board->description(), "test board driver");
  EXPECT_EQ(board->abi_version(), MPTEST_PLUGIN_ABI_VERSION);
  EXPECT_THAT(board->kinds(), ElementsAre("board_driver"));
  EXPECT_THAT(builder->kinds(), ElementsAre("builder"));
  EXPECT_THAT(harness->kinds(), ElementsAre("harness"));

  std::unique_ptr<BoardDriver> driver = NewBoardDriverAdapter(board);
  ASSERT_NE(driver, nullptr);
  EXPECT_EQ(NewBuilderAdapter(board), nullptr);
  proto::DiscoverRequest discover;
  *discover.mutable_inventory()->add_tentacles() = core_tentacle.entry();
  discover.set_state_dir("/state");
  auto found = driver->Discover(discover);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->tentacles_size(), 1);
  EXPECT_EQ(found->tentacles(0).console(), "/state/core-1.tty");
  auto started = driver->Start(found->tentacles(0));
  ASSERT_TRUE(started.ok()) << started.status();
  EXPECT_EQ(started->runtime().at("started_by"), "good_board");

  proto::BuildRequest build;
  build.mutable_board()->set_name("RPI_PICO");
  build.set_output_dir("/out");
  std::unique_ptr<Builder> builder_adapter = NewBuilderAdapter(builder);
  // The plugin's progress crosses the ABI's report_build to the adapter's reporter.
  std::vector<std::string> steps;
  builder_adapter->SetProgressReporter([&steps](const proto::BuildProgress& progress) {
    steps.push_back(absl::StrCat(progress.step(), " ", progress.done(), "/", progress.total()));
  });
  auto firmware = builder_adapter->Build(build);
  ASSERT_TRUE(firmware.ok()) << firmware.status();
  EXPECT_EQ(firmware->path(), "/out/firmware-RPI_PICO.bin");
  EXPECT_THAT(steps, ElementsAre("make 1/2", "make 2/2"));
  // Outside a Build, nothing the plugin reports reaches this builder.
  const std::string progress_bytes = proto::BuildProgress().SerializeAsString();
  HostForPlugins().report_build(progress_bytes.data(), progress_bytes.size());
  EXPECT_EQ(steps.size(), 2u);

  proto::HarnessRequest run;
  run.mutable_spec()->set_label("RUN-TESTS");
  *run.add_tentacles() = *started;
  std::unique_ptr<Harness> adapter = NewHarnessAdapter(harness);
  // The plugin's per-test reports cross the ABI's report_test to the adapter's reporter.
  std::vector<std::string> reported;
  adapter->SetTestReporter([&reported](const proto::TestProgress& progress) {
    reported.push_back(absl::StrCat(progress.ended() ? "ended " : "started ",
                                    progress.outcome().name(), " ", progress.index(), "/",
                                    progress.total(), " ", progress.outcome().outcome()));
  });
  auto result = adapter->Run(run);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->outcomes_size(), 1);
  EXPECT_EQ(result->outcomes(0).name(), "RUN-TESTS/core-1");
  EXPECT_EQ(result->outcomes(0).outcome(), "pass");
  EXPECT_THAT(reported,
              ElementsAre("started RUN-TESTS/core-1 1/1 ", "ended RUN-TESTS/core-1 1/1 pass"));
  // Outside a Run, nothing the plugin reports reaches this harness.
  const std::string bytes = proto::TestProgress().SerializeAsString();
  HostForPlugins().report_test(bytes.data(), bytes.size());
  EXPECT_EQ(reported.size(), 2u);
}

TEST(LoaderTest, PluginErrorsComeBackAsStatusNamingPluginAndMethod) {
  auto driver = NewBoardDriverAdapter(MustLoad("good_board"));
  ASSERT_NE(driver, nullptr);
  absl::Status status = driver->PowerCycle(proto::Tentacle());
  EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(status.message(), HasSubstr("plugin 'good_board'"));
  EXPECT_THAT(status.message(), HasSubstr("PowerCycle: good_board cannot power-cycle"));
  status = driver->Flash(proto::FlashRequest());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("firmware.path is empty"));
}

TEST(LoaderTest, ExceptionsStopAtTheBoundary) {
  auto driver = NewBoardDriverAdapter(MustLoad("good_board"));
  ASSERT_NE(driver, nullptr);
  absl::Status status = driver->Stop(proto::Tentacle());
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(status.message(),
              HasSubstr("uncaught exception in BoardDriver::Stop: the relay board caught fire"));
}

TEST(LoaderTest, LoadingTwiceGivesTheSamePlugin) {
  auto first = MustLoad("good_builder");
  auto second = MustLoad("good_builder");
  EXPECT_EQ(first.get(), second.get());
}

void ExpectRejected(const std::string& path, absl::StatusCode code, const std::string& cause) {
  auto plugin = LoadPlugin(path);
  ASSERT_FALSE(plugin.ok()) << path;
  EXPECT_EQ(plugin.status().code(), code) << plugin.status();
  EXPECT_THAT(plugin.status().message(), HasSubstr(path + ": "));
  EXPECT_THAT(plugin.status().message(), HasSubstr(cause));
}

TEST(LoaderTest, NoEntrySymbol) {
  ExpectRejected(FixturePath("no_entry"), absl::StatusCode::kNotFound,
                 "no symbol mptest_plugin_entry: not an mptest plugin");
}

TEST(LoaderTest, WrongAbiVersion) {
  ExpectRejected(FixturePath("wrong_abi"), absl::StatusCode::kFailedPrecondition,
                 "built for ABI 99, this mptest supports 1");
}

TEST(LoaderTest, InitFails) {
  ExpectRejected(FixturePath("init_fails"), absl::StatusCode::kFailedPrecondition,
                 "plugin 'init_fails' init failed (code 14): the bench power supply is off");
}

TEST(LoaderTest, RequiredFunctionMissing) {
  ExpectRejected(FixturePath("missing_function"), absl::StatusCode::kInvalidArgument,
                 "board_driver.flash is NULL (required)");
}

TEST(LoaderTest, NotASharedObject) {
  ExpectRejected(FixturePath("not_a_shared_object"), absl::StatusCode::kFailedPrecondition,
                 "not a shared object: no ELF magic");
}

TEST(LoaderTest, TruncatedFile) {
  // Handed to dlopen, this file kills the process with SIGBUS; the ELF check stops it first.
  ExpectRejected(FixturePath("truncated"), absl::StatusCode::kFailedPrecondition,
                 "truncated: the file has 1000 bytes, loadable segment");
}

TEST(LoaderTest, MissingFile) {
  ExpectRejected("/nonexistent/libnothing.so", absl::StatusCode::kFailedPrecondition,
                 "cannot open: No such file or directory");
}

TEST(LoaderTest, BareNameIsRefused) {
  ExpectRejected("libgood_board.so", absl::StatusCode::kInvalidArgument, "must contain a '/'");
}

}  // namespace
}  // namespace mptest::plugin
