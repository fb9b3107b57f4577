// Tests of the JSON reading and writing, and of the _results.json parser.
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
  outcome->set_outcome("passed");
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

TEST(MpResultsTest, ParsesCurrentFormat) {
  auto outcomes = ParseMpResultsJson(
      R"({"args": {"jobs": 1}, "results": [["basics/a.py", "pass", ""],
          ["basics/b.py", "fail", ""], ["basics/c.py", "skip", "too big"],
          ["basics/d.py", "ignored", "flaky"], ["basics/e.py", "pass"]],
          "failed_tests": ["basics/b.py"]})",
      "_results.json");
  ASSERT_TRUE(outcomes.ok()) << outcomes.status();
  ASSERT_EQ(outcomes->size(), 5u);
  EXPECT_EQ((*outcomes)[0].outcome(), "passed");
  EXPECT_EQ((*outcomes)[1].outcome(), "failed");
  EXPECT_EQ((*outcomes)[2].outcome(), "skipped");
  EXPECT_EQ((*outcomes)[2].text(), "too big");
  EXPECT_EQ((*outcomes)[3].outcome(), "skipped");
  EXPECT_EQ((*outcomes)[4].name(), "basics/e.py");
}

TEST(MpResultsTest, ParsesOldListFormat) {
  auto outcomes = ParseMpResultsJson(
      R"({"passed_tests": ["a.py", "b.py"], "failed_tests": ["c.py"], "skipped_tests": []})",
      "_results.json");
  ASSERT_TRUE(outcomes.ok()) << outcomes.status();
  ASSERT_EQ(outcomes->size(), 3u);
  EXPECT_EQ((*outcomes)[2].name(), "c.py");
  EXPECT_EQ((*outcomes)[2].outcome(), "failed");
}

TEST(MpResultsTest, ErrorsNameFileAndEntry) {
  struct Case {
    const char* json;
    const char* expected;
  } cases[] = {
      {"[1, 2]", "expected a JSON object"},
      {R"({"results": 3})", "\"results\" must be a list"},
      {R"({"results": [["a.py"]]})", "\"results\"[0]"},
      {R"({"results": [["a.py", "pass"], ["b.py", "exploded"]]})", "unknown verdict \"exploded\""},
      {R"({"results": [[1, "pass"]]})", "must be strings"},
      {R"({"failed_tests": "a.py"})", "\"failed_tests\" must be a list"},
      {R"({"passed_tests": [null]})", "not a string"},
      {"{\"results\": [", "not a valid"},
  };
  for (const Case& test : cases) {
    auto outcomes = ParseMpResultsJson(test.json, "attempt/_results.json");
    ASSERT_FALSE(outcomes.ok()) << test.json;
    EXPECT_NE(outcomes.status().message().find("attempt/_results.json"), std::string::npos)
        << outcomes.status();
    EXPECT_NE(outcomes.status().message().find(test.expected), std::string::npos)
        << test.json << " -> " << outcomes.status();
  }
}

}  // namespace
}  // namespace mptest::report
