// Tests of RegistryPluginSource: instances by name, cached; unknown names to the fallback;
// rejected plugins stay errors.
#include "core/plugin/plugin_source.h"

#include "core/plugin/test_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::plugin {
namespace {

using ::mptest::plugin::testing::FixturePath;
using ::testing::HasSubstr;

class StandInHarness : public Harness {
 public:
  absl::StatusOr<proto::HarnessResult> Run(const proto::HarnessRequest&) override {
    return proto::HarnessResult();
  }
};

// A fallback that knows one harness, "host_python".
class StandIns : public sched::PluginSource {
 public:
  absl::StatusOr<Builder*> GetBuilder(const std::string& name) override {
    return absl::NotFoundError("no stand-in builder " + name);
  }
  absl::StatusOr<BoardDriver*> GetDriver(const std::string& type) override {
    return absl::NotFoundError("no stand-in driver " + type);
  }
  absl::StatusOr<Harness*> GetHarness(const std::string& name) override {
    if (name == "host_python") return &harness_;
    return absl::NotFoundError("no stand-in harness " + name);
  }
  absl::StatusOr<std::string> ReadVersion(const proto::Tentacle&) override { return "v9"; }

 private:
  StandInHarness harness_;
};

PluginRegistry LoadFixtures() {
  PluginSearchOptions options;
  options.builtin_files = {FixturePath("good_board"), FixturePath("init_fails")};
  return PluginRegistry::Load(options);  // no checker: these fixtures do not crash
}

TEST(PluginSourceTest, GivesOneInstancePerName) {
  PluginRegistry registry = LoadFixtures();
  RegistryPluginSource source(&registry);
  absl::StatusOr<BoardDriver*> first = source.GetDriver("good_board");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*source.GetDriver("good_board"), *first);
  EXPECT_TRUE((*first)->Start(proto::Tentacle()).ok());
  EXPECT_THAT(source.GetBuilder("good_board").status().message(),
              HasSubstr("is a board_driver, not a builder"));
  EXPECT_EQ(source.GetHarness("host_python").status().code(), absl::StatusCode::kNotFound);
  // The driver's own probe answers; without one, the raw-REPL probe needs the console.
  proto::Tentacle good;
  good.mutable_entry()->set_type("good_board");
  good.mutable_entry()->set_label("g1-GOOD");
  absl::StatusOr<std::string> identity = source.ReadVersion(good);
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_THAT(*identity, HasSubstr("good g1-GOOD"));
  proto::Tentacle no_probe;
  no_probe.mutable_entry()->set_type("no_such_driver");
  no_probe.mutable_entry()->set_label("n1");
  EXPECT_THAT(source.ReadVersion(no_probe).status().message(), HasSubstr("n1: no console"));
}

TEST(PluginSourceTest, UnknownNamesGoToTheFallbackRejectedOnesDoNot) {
  PluginRegistry registry = LoadFixtures();
  StandIns stand_ins;
  RegistryPluginSource source(&registry, &stand_ins);
  absl::StatusOr<Harness*> harness = source.GetHarness("host_python");
  ASSERT_TRUE(harness.ok()) << harness.status();
  EXPECT_TRUE(source.GetDriver("good_board").ok());
  absl::StatusOr<BoardDriver*> rejected = source.GetDriver("init_fails");
  EXPECT_THAT(rejected.status().message(), HasSubstr("the bench power supply is off"));
  proto::Tentacle stand_in;
  stand_in.mutable_entry()->set_type("stand_in_board");
  EXPECT_EQ(*source.ReadVersion(stand_in), "v9");
}

}  // namespace
}  // namespace mptest::plugin
