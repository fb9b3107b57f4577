// Tests of _results.json reading (both formats, bad input) and writing (round trip).
#include "plugins/harnesses/results_json.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::harnesses {
namespace {

using ::testing::HasSubstr;

TEST(ResultsJsonTest, ParsesTheCurrentFormat) {
  absl::StatusOr<std::vector<proto::TestOutcome>> outcomes = ParseResultsJson(
      R"({"args": {"x": 1}, "results": [["basics/a.py", "pass", ""],
          ["basics/b.py", "fail", ""], ["basics/c.py", "skip", "no float"],
          ["basics/d.py", "ignored", "flaky"]], "failed_tests": ["basics/b.py"]})",
      "r.json");
  ASSERT_TRUE(outcomes.ok()) << outcomes.status();
  ASSERT_EQ(outcomes->size(), 4u);
  EXPECT_EQ((*outcomes)[0].name(), "basics/a.py");
  EXPECT_EQ((*outcomes)[1].outcome(), "fail");
  EXPECT_EQ((*outcomes)[2].reason(), "no float");
  EXPECT_EQ((*outcomes)[3].outcome(), "ignored");
}

TEST(ResultsJsonTest, ParsesTheOlderListFormat) {
  absl::StatusOr<std::vector<proto::TestOutcome>> outcomes = ParseResultsJson(
      R"({"passed_tests": ["a.py", "b.py"], "skipped_tests": ["c.py"],
          "failed_tests": ["d.py"]})",
      "r.json");
  ASSERT_TRUE(outcomes.ok()) << outcomes.status();
  ASSERT_EQ(outcomes->size(), 4u);
  EXPECT_EQ((*outcomes)[2].outcome(), "skip");
  EXPECT_EQ((*outcomes)[3].name(), "d.py");
  EXPECT_EQ((*outcomes)[3].outcome(), "fail");
}

TEST(ResultsJsonTest, RejectsBadInputNamingTheEntry) {
  EXPECT_THAT(ParseResultsJson("not json", "x/_results.json").status().message(),
              HasSubstr("x/_results.json"));
  EXPECT_THAT(ParseResultsJson(R"({"results": [["a.py", "pass"], ["b.py", "maybe"]]})", "f")
                  .status()
                  .message(),
              HasSubstr("results[1] has outcome 'maybe'"));
  EXPECT_THAT(ParseResultsJson(R"({"results": [["a.py"]]})", "f").status().message(),
              HasSubstr("results[0]"));
  EXPECT_THAT(ParseResultsJson(R"({"results": 3})", "f").status().message(),
              HasSubstr("not a list"));
  EXPECT_EQ(ReadResultsJson("/nonexistent/_results.json").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ResultsJsonTest, WriteThenReadRoundTrips) {
  std::vector<proto::TestOutcome> outcomes(3);
  outcomes[0].set_name("basics/a.py");
  outcomes[0].set_outcome("pass");
  outcomes[1].set_name("basics/b.py");
  outcomes[1].set_outcome("fail");
  outcomes[2].set_name("basics/c.py");
  outcomes[2].set_outcome("skip");
  outcomes[2].set_reason("SKIP");
  google::protobuf::Struct args;
  (*args.mutable_fields())["harness"].set_string_value("native");
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/_results.json";
  ASSERT_TRUE(WriteResultsJson(path, outcomes, args).ok());
  absl::StatusOr<std::vector<proto::TestOutcome>> read = ReadResultsJson(path);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), 3u);
  EXPECT_EQ((*read)[1].outcome(), "fail");
  EXPECT_EQ((*read)[2].reason(), "SKIP");
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr(R"("failed_tests":["basics/b.py"])"));
  EXPECT_THAT(text.str(), HasSubstr(R"("harness":"native")"));
}

}  // namespace
}  // namespace mptest::harnesses
