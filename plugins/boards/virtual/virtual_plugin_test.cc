// Loads the "virtual" plugin the way mptest does (registry + child check) and drives a virtual
// board through the C ABI: discover, start, build, flash, version check, stop.
#include <stdlib.h>

#include "absl/strings/str_cat.h"
#include "core/plugin/registry.h"
#include "core/repl/raw_repl_client.h"
#include "gtest/gtest.h"

namespace mptest {
namespace {

std::string Runfile(const std::string& path) {
  return absl::StrCat(getenv("TEST_SRCDIR"), "/mptest/", path);
}

TEST(VirtualPluginTest, DriverAndBuilderThroughTheAbi) {
  setenv("MPTEST_VIRTUAL_BOARD", Runfile("firmware/virtual_board").c_str(), 1);
  plugin::PluginSearchOptions options;
  options.checker = Runfile("core/plugin/mptest_plugin_check");
  options.check_timeout = absl::Seconds(30);
  options.builtin_files.push_back(Runfile("plugins/boards/virtual/libvirtual.so"));
  plugin::PluginRegistry registry = plugin::PluginRegistry::Load(options);
  for (const plugin::PluginRecord& record : registry.records()) {
    ASSERT_TRUE(record.status.ok()) << record.path << ": " << record.status;
  }
  absl::StatusOr<std::unique_ptr<BoardDriver>> driver = registry.NewBoardDriver("virtual");
  ASSERT_TRUE(driver.ok()) << driver.status();
  absl::StatusOr<std::unique_ptr<Builder>> builder = registry.NewBuilder("virtual");
  ASSERT_TRUE(builder.ok()) << builder.status();

  proto::DiscoverRequest request;
  request.set_state_dir(absl::StrCat(getenv("TEST_TMPDIR"), "/state"));
  proto::BoardDefinition* board = request.add_boards();
  board->set_name("VIRTUAL");
  board->set_port("virtual");
  proto::InventoryEntry* entry = request.mutable_inventory()->add_tentacles();
  entry->set_label("v0");
  entry->set_type("virtual");
  entry->set_board("VIRTUAL");
  absl::StatusOr<proto::DiscoverResponse> discovered = (*driver)->Discover(request);
  ASSERT_TRUE(discovered.ok()) << discovered.status();
  absl::StatusOr<proto::Tentacle> tentacle = (*driver)->Start(discovered->tentacles(0));
  ASSERT_TRUE(tentacle.ok()) << tentacle.status();

  proto::BuildRequest build;
  build.set_source("plugin-test");
  *build.mutable_board() = *board;
  build.set_output_dir(absl::StrCat(getenv("TEST_TMPDIR"), "/out"));
  absl::StatusOr<proto::Firmware> firmware = (*builder)->Build(build);
  ASSERT_TRUE(firmware.ok()) << firmware.status();
  proto::FlashRequest flash;
  *flash.mutable_tentacle() = *tentacle;
  *flash.mutable_firmware() = *firmware;
  absl::Status flashed = (*driver)->Flash(flash);
  EXPECT_TRUE(flashed.ok()) << flashed;

  auto client = repl::RawReplClient::Open(tentacle->console());
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->EnterRawRepl(absl::Now() + absl::Seconds(5)).ok());
  absl::StatusOr<repl::BoardVersion> version =
      (*client)->ReadVersion(absl::Now() + absl::Seconds(5));
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(version->identity, firmware->version());

  // Errors cross the ABI with their code.
  build.mutable_board()->set_port("rp2");
  EXPECT_TRUE(absl::IsInvalidArgument((*builder)->Build(build).status()));
  EXPECT_TRUE((*driver)->Stop(*tentacle).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition((*driver)->PowerCycle(*tentacle)));
}

}  // namespace
}  // namespace mptest
