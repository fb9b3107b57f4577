// Tests of _results.json reading (both formats, bad input), writing (round trip) and the
// mapping of its outcome words to results.json's.
#include "core/report/results_json.h"

#include <cstdlib>

#include "core/report/atomic_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::report {
namespace {

using ::testing::HasSubstr;

TEST(ResultsJsonTest, ParsesTheCurrentFormat) {
  absl::StatusOr<std::vector<proto::TestOutcome>> outcomes = ParseResultsJson(
      R"({"args": {"x": 1}, "results": [["basics/a.py", "pass", ""],
          ["basics/b.py", "fail", ""], ["basics/c.py", "skip", "no float"],
          ["basics/d.py", "ignored", "flaky"], ["basics/e.py", "pass"]],
          "failed_tests": ["basics/b.py"]})",
      "r.json");
  ASSERT_TRUE(outcomes.ok()) << outcomes.status();
  ASSERT_EQ(outcomes->size(), 5u);
  EXPECT_EQ((*outcomes)[0].name(), "basics/a.py");
  EXPECT_EQ((*outcomes)[1].outcome(), "fail");
  EXPECT_EQ((*outcomes)[2].reason(), "no float");
  EXPECT_EQ((*outcomes)[3].outcome(), "ignored");
  EXPECT_EQ((*outcomes)[4].name(), "basics/e.py");
  EXPECT_EQ((*outcomes)[4].reason(), "");
}

TEST(ResultsJsonTest, ParsesTheOlderListFormat) {
  absl::StatusOr<std::vector<proto::TestOutcome>> outcomes = ParseResultsJson(
      R"({"passed_tests": ["a.py", "b.py"], "skipped_tests": ["c.py"],
          "failed_tests": ["d.py"], "ignored_tests": []})",
      "r.json");
  ASSERT_TRUE(outcomes.ok()) << outcomes.status();
  ASSERT_EQ(outcomes->size(), 4u);
  EXPECT_EQ((*outcomes)[2].outcome(), "skip");
  EXPECT_EQ((*outcomes)[3].name(), "d.py");
  EXPECT_EQ((*outcomes)[3].outcome(), "fail");
}

TEST(ResultsJsonTest, FoundOnlyInADryRunsFile) {
  constexpr char kDryRun[] = R"({"results": [["basics/a.py", "found", ""]]})";
  EXPECT_FALSE(ParseResultsJson(kDryRun, "r.json").ok());
  absl::StatusOr<std::vector<proto::TestOutcome>> found =
      ParseResultsJson(kDryRun, "r.json", /*allow_found=*/true);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ((*found)[0].outcome(), "found");
}

TEST(ResultsJsonTest, ErrorsNameTheFileAndTheEntry) {
  struct Case {
    const char* json;
    const char* expected;
  } cases[] = {
      {"not json", "not valid JSON"},
      {"{\"results\": [", "not valid JSON"},
      {"[1, 2]", "expected a JSON object"},
      {R"({"results": 3})", "\"results\" must be a list"},
      {R"({"results": [["a.py"]]})", "\"results\"[0] is not a list"},
      {R"({"results": [["a.py", "pass"], ["b.py", "maybe"]]})", "[1] has outcome 'maybe'"},
      {R"({"results": [[1, "pass"]]})", "not a string"},
      {R"({"failed_tests": "a.py"})", "\"failed_tests\" must be a list"},
      {R"({"passed_tests": [null]})", "not a string"},
  };
  for (const Case& test : cases) {
    auto outcomes = ParseResultsJson(test.json, "attempt/_results.json");
    ASSERT_FALSE(outcomes.ok()) << test.json;
    EXPECT_EQ(outcomes.status().code(), absl::StatusCode::kInvalidArgument) << test.json;
    EXPECT_THAT(outcomes.status().message(), HasSubstr("attempt/_results.json")) << test.json;
    EXPECT_THAT(outcomes.status().message(), HasSubstr(test.expected)) << test.json;
  }
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
  absl::StatusOr<std::string> text = ReadFile(path);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_THAT(*text, HasSubstr(R"("failed_tests":["basics/b.py"])"));
  EXPECT_THAT(*text, HasSubstr(R"("skipped_tests":["basics/c.py"])"));
  EXPECT_THAT(*text, HasSubstr(R"("harness":"native")"));
}

TEST(ResultsJsonTest, ToCoreOutcomeSpeaksResultsJsonsWords) {
  for (auto [word, core] :
       {std::pair<const char*, proto::Outcome::Verdict>{"pass", proto::Outcome::passed},
        {"fail", proto::Outcome::failed},
        {"skip", proto::Outcome::skipped},
        {"ignored", proto::Outcome::skipped},
        {"xfailed", proto::Outcome::xfailed}}) {
    proto::TestOutcome outcome;
    outcome.set_name("basics/a.py");
    outcome.set_outcome(word);
    outcome.set_reason("why");
    outcome.set_duration_s(1.5);
    proto::Outcome mapped = ToCoreOutcome(outcome);
    EXPECT_EQ(mapped.outcome(), core) << word;
    EXPECT_EQ(mapped.name(), "basics/a.py");
    EXPECT_EQ(mapped.text(), "why");
    EXPECT_EQ(mapped.duration_s(), 1.5);
  }
  // A word the core does not know is an error of that test, not a verdict of its own.
  proto::TestOutcome odd;
  odd.set_name("basics/a.py");
  odd.set_outcome("exploded");
  proto::Outcome mapped = ToCoreOutcome(odd);
  EXPECT_EQ(mapped.outcome(), proto::Outcome::errored);
  EXPECT_EQ(mapped.text(), "the harness gave the outcome 'exploded'");
}

}  // namespace
}  // namespace mptest::report
