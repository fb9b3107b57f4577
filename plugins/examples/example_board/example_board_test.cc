// The worked example end to end, as docs/writing-a-plugin.md tells it: the example_board plugin
// is put in a plugin directory, mptest's registry loads it (child check included), and the
// tentacle it provides is discovered, flashed, started and runs code over its console.
#include <cstdlib>
#include <string>

#include "core/plugin/registry.h"
#include "core/plugin/test_fixtures.h"
#include "core/repl/raw_repl_client.h"
#include "firmware/image.h"
#include "firmware/test_board.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::examples {
namespace {

using ::mptest::plugin::testing::CopyFile;
using ::mptest::plugin::testing::NewTempDir;
using ::testing::HasSubstr;

std::string Runfile(const std::string& path) {
  return std::string(std::getenv("TEST_SRCDIR")) + "/mptest/" + path;
}

TEST(ExampleBoardTest, FromPluginDirectoryToATentacleThatRunsCode) {
  // "mptest --plugin_path=DIR": the plugin file in a directory of its own.
  const std::string plugin_dir = NewTempDir("plugins");
  CopyFile(Runfile("plugins/examples/example_board/libexample_board.so"),
           plugin_dir + "/libexample_board.so");
  plugin::PluginSearchOptions options;
  options.plugin_path = {plugin_dir};
  options.checker = Runfile("core/plugin/mptest_plugin_check");
  plugin::PluginRegistry registry = plugin::PluginRegistry::Load(options);
  absl::StatusOr<std::unique_ptr<BoardDriver>> driver = registry.NewBoardDriver("example_board");
  ASSERT_TRUE(driver.ok()) << driver.status();

  // Discover: the inventory entry becomes a tentacle.
  proto::DiscoverRequest discover;
  proto::InventoryEntry* entry = discover.mutable_inventory()->add_tentacles();
  entry->set_label("bench-1");
  entry->set_type("example_board");
  entry->set_board("VIRTUAL");
  entry->add_command(firmware::TestBoard::BinaryPath());
  discover.add_boards()->set_name("VIRTUAL");
  discover.set_state_dir(NewTempDir("state"));
  absl::StatusOr<proto::DiscoverResponse> found = (*driver)->Discover(discover);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->tentacles_size(), 1);
  const proto::Tentacle& tentacle = found->tentacles(0);

  // Flash a firmware image, then start the board.
  const std::string image = discover.state_dir() + "/firmware.vimg";
  ASSERT_TRUE(firmware::WriteImageFile(image, firmware::TestBoard::DefaultImage()).ok());
  proto::FlashRequest flash;
  *flash.mutable_tentacle() = tentacle;
  flash.mutable_firmware()->set_path(image);
  ASSERT_TRUE((*driver)->Flash(flash).ok());
  absl::StatusOr<proto::Tentacle> started = (*driver)->Start(tentacle);
  ASSERT_TRUE(started.ok()) << started.status();

  // The tentacle runs code, as a harness would.
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  auto client = repl::RawReplClient::Open(started->console());
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE((*client)->EnterRawRepl(deadline).ok());
  absl::StatusOr<repl::ExecResult> result = (*client)->Execute("print(6 * 7)", deadline);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->stdout_text, "42\r\n");
  client->reset();

  EXPECT_TRUE((*driver)->Stop(*started).ok());
  EXPECT_TRUE((*driver)->Stop(*started).ok());  // idempotent
}

TEST(ExampleBoardTest, ErrorsNameTheEntry) {
  plugin::PluginSearchOptions options;
  options.builtin_files = {Runfile("plugins/examples/example_board/libexample_board.so")};
  options.checker = Runfile("core/plugin/mptest_plugin_check");
  plugin::PluginRegistry registry = plugin::PluginRegistry::Load(options);
  auto driver = registry.NewBoardDriver("example_board");
  ASSERT_TRUE(driver.ok()) << driver.status();
  proto::DiscoverRequest discover;
  proto::InventoryEntry* entry = discover.mutable_inventory()->add_tentacles();
  entry->set_label("bench-2");
  entry->set_type("example_board");
  entry->set_board("NOPE");
  entry->add_command("/bin/true");
  discover.set_state_dir(NewTempDir("state-of-errors"));
  auto found = (*driver)->Discover(discover);
  EXPECT_EQ(found.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(found.status().message(),
              HasSubstr("tentacle 'bench-2': board 'NOPE' has no board definition"));
  EXPECT_THAT(found.status().message(), HasSubstr("plugin 'example_board'"));
}

}  // namespace
}  // namespace mptest::examples
