// Loads the "serial" plugin through the registry (child check included) and calls it through
// the C ABI with real libserialport enumeration: an absent board is a NotFound naming it.
#include <stdlib.h>

#include "absl/strings/str_cat.h"
#include "core/plugin/registry.h"
#include "gtest/gtest.h"

namespace mptest {
namespace {

std::string Runfile(const std::string& path) {
  return absl::StrCat(getenv("TEST_SRCDIR"), "/mptest/", path);
}

TEST(SerialPluginTest, AbsentBoardThroughTheAbi) {
  plugin::PluginSearchOptions options;
  options.checker = Runfile("core/plugin/mptest_plugin_check");
  options.check_timeout = absl::Seconds(30);
  options.builtin_files.push_back(Runfile("plugins/boards/serial/libserial.so"));
  plugin::PluginRegistry registry = plugin::PluginRegistry::Load(options);
  for (const plugin::PluginRecord& record : registry.records()) {
    ASSERT_TRUE(record.status.ok()) << record.path << ": " << record.status;
  }
  absl::StatusOr<std::unique_ptr<BoardDriver>> driver = registry.NewBoardDriver("serial");
  ASSERT_TRUE(driver.ok()) << driver.status();
  proto::DiscoverRequest request;
  request.set_state_dir(absl::StrCat(getenv("TEST_TMPDIR"), "/state"));
  request.add_boards()->set_name("RPI_PICO2");
  proto::InventoryEntry* entry = request.mutable_inventory()->add_tentacles();
  entry->set_label("2731-RPI_PICO2");
  entry->set_type("serial");
  entry->set_board("RPI_PICO2");
  entry->set_usb_serial("NO-SUCH-SERIAL-0000");
  absl::Status status = (*driver)->Discover(request).status();
  EXPECT_TRUE(absl::IsNotFound(status)) << status;
  EXPECT_NE(status.message().find("2731-RPI_PICO2"), std::string::npos) << status;
}

}  // namespace
}  // namespace mptest
