// Tests of the JSON reading and writing of proto messages.
#include "core/report/json_io.h"

#include "gtest/gtest.h"

namespace mptest::report {
namespace {

TEST(JsonIoTest, WritesAnchorFieldNamesAndEmptyStrings) {
  proto::CampaignContext context;
  context.set_testbed_name("lab");
  std::string json = MessageToJson(context);
  EXPECT_NE(json.find("\"testbed_name\": \"lab\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"error\": \"\""), std::string::npos) << json;
}

TEST(JsonIoTest, RoundTrip) {
  proto::TestGroupResult group;
  group.set_directory_relative("RUN-TESTS_STANDARD@x,a");
  proto::Outcome* outcome = group.add_outcomes();
  outcome->set_name("basics/andor.py");
  outcome->set_outcome(proto::Outcome::passed);
  // The verdict is written as its word, as results.json always had it.
  EXPECT_NE(MessageToJson(group).find("\"passed\""), std::string::npos);
  proto::TestGroupResult parsed;
  ASSERT_TRUE(JsonToMessage(MessageToJson(group), "g.json", &parsed).ok());
  EXPECT_EQ(parsed.SerializeAsString(), group.SerializeAsString());
}

TEST(JsonIoTest, IgnoresUnknownFieldsButNamesTheFileOnErrors) {
  proto::TestGroupResult parsed;
  EXPECT_TRUE(JsonToMessage(R"({"testgroup": "X", "future_field": 3})", "g.json", &parsed).ok());
  EXPECT_EQ(parsed.testgroup(), "X");
  absl::Status status = JsonToMessage(R"({"testgroup": 3)", "dir/context_testgroup.json", &parsed);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("dir/context_testgroup.json"), std::string::npos) << status;
}

}  // namespace
}  // namespace mptest::report
