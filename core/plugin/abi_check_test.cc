// Tests of CheckDescriptor: each malformed descriptor gets its own message; a good one passes.
#include "core/plugin/abi_check.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::plugin {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

mptest_plugin_status Init(const mptest_plugin_host*, mptest_plugin_output*) { return 0; }
mptest_plugin_status Call(const char*, size_t, mptest_plugin_output*) { return 0; }

const mptest_plugin_builder kBuilder = {sizeof(mptest_plugin_builder), &Call, {}};
const mptest_plugin_harness kHarness = {sizeof(mptest_plugin_harness), &Call, {}};

mptest_plugin_descriptor Good() {
  return {MPTEST_PLUGIN_ABI_VERSION,
          sizeof(mptest_plugin_descriptor),
          "good",
          "1",
          nullptr,
          &Init,
          &kBuilder,
          nullptr,
          &kHarness,
          {}};
}

void ExpectBad(const mptest_plugin_descriptor& descriptor, const std::string& message) {
  absl::Status status = CheckDescriptor(&descriptor);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(message));
}

TEST(AbiCheckTest, GoodDescriptorPasses) {
  mptest_plugin_descriptor descriptor = Good();
  EXPECT_TRUE(CheckDescriptor(&descriptor).ok());
  EXPECT_THAT(DescriptorKinds(descriptor), ElementsAre("builder", "harness"));
}

TEST(AbiCheckTest, EachDefectHasItsMessage) {
  EXPECT_THAT(CheckDescriptor(nullptr).message(), HasSubstr("mptest_plugin_entry() returned NULL"));
  mptest_plugin_descriptor d = Good();
  d.abi_version = 3;
  d.name = nullptr;  // must not be looked at once the version is wrong
  EXPECT_EQ(CheckDescriptor(&d).message(), "built for ABI 3, this mptest supports 1");
  d = Good();
  d.struct_size = 8;
  ExpectBad(d, "descriptor struct_size is 8, ABI 1 needs");
  d = Good();
  d.name = "Bad-Name";
  ExpectBad(d, "plugin name 'Bad-Name' is invalid: expected [a-z0-9_]+");
  d = Good();
  d.name = nullptr;
  ExpectBad(d, "plugin name is NULL");
  d = Good();
  d.version = nullptr;
  ExpectBad(d, "descriptor.version is NULL (required)");
  d = Good();
  d.init = nullptr;
  ExpectBad(d, "descriptor.init is NULL (required)");
  d = Good();
  d.reserved[3] = &d;
  ExpectBad(d, "descriptor has non-NULL reserved slots");
  d = Good();
  d.builder = nullptr;
  d.harness = nullptr;
  ExpectBad(d, "the plugin provides nothing");
}

TEST(AbiCheckTest, TablesAreChecked) {
  mptest_plugin_descriptor d = Good();
  mptest_plugin_harness harness = kHarness;
  d.harness = &harness;
  harness.run = nullptr;
  ExpectBad(d, "harness.run is NULL (required)");
  harness = kHarness;
  harness.struct_size = 4;
  ExpectBad(d, "harness.struct_size is 4");
  mptest_plugin_board_driver driver = {
      sizeof(mptest_plugin_board_driver), &Call, &Call, &Call, &Call, nullptr, nullptr, {}};
  d = Good();
  d.board_driver = &driver;
  ExpectBad(d, "board_driver.stop is NULL (required)");
  // read_version, in the first reserved slot, is optional: NULL (an older plugin) or set.
  driver.stop = &Call;
  EXPECT_TRUE(CheckDescriptor(&d).ok()) << CheckDescriptor(&d);
  driver.read_version = &Call;
  EXPECT_TRUE(CheckDescriptor(&d).ok()) << CheckDescriptor(&d);
  driver.reserved[0] = &driver;
  ExpectBad(d, "board_driver has non-NULL reserved slots");
}

TEST(AbiCheckTest, PluginNames) {
  EXPECT_TRUE(IsValidPluginName("run_tests"));
  EXPECT_TRUE(IsValidPluginName("esp32"));
  EXPECT_FALSE(IsValidPluginName(""));
  EXPECT_FALSE(IsValidPluginName("has space"));
  EXPECT_FALSE(IsValidPluginName("Upper"));
  EXPECT_FALSE(IsValidPluginName(std::string(65, 'a')));
}

}  // namespace
}  // namespace mptest::plugin
