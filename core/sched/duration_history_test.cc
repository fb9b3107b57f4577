// The run-time history file: parsing, errors that name the line, merging campaigns into it.
#include "core/sched/duration_history.h"

#include <stdlib.h>

#include "core/report/atomic_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::sched {
namespace {

using ::testing::HasSubstr;

std::string TempPath(const std::string& name) {
  return std::string(getenv("TEST_TMPDIR")) + "/" + name;
}

TEST(DurationHistoryTest, ParsesCellsWithAndWithoutVariant) {
  absl::StatusOr<DurationEstimates> history = ParseDurationHistory(
      "# comment\nRUN-A\tPICO\t\t12.5\r\nRUN-A\tPICO\tRISCV\t3\n\nRUN-B|x\tESP32\t\t0.25\n", "h");
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(*history, (DurationEstimates{{EstimateKey("RUN-A", "PICO", ""), 12.5},
                                         {EstimateKey("RUN-A", "PICO", "RISCV"), 3},
                                         {EstimateKey("RUN-B|x", "ESP32", ""), 0.25}}));
}

TEST(DurationHistoryTest, ErrorsNameTheFileTheLineAndWhatIsExpected) {
  absl::StatusOr<DurationEstimates> history =
      ParseDurationHistory("RUN-A\tPICO\t\t1\nRUN-B\tPICO\t\tsoon\n", "/c/durations.tsv");
  ASSERT_FALSE(history.ok());
  EXPECT_THAT(history.status().message(), HasSubstr("/c/durations.tsv:2: seconds"));
  EXPECT_THAT(history.status().message(), HasSubstr("'soon'"));
  history = ParseDurationHistory("\n\nRUN-A PICO 1\n", "f");
  ASSERT_FALSE(history.ok());
  EXPECT_THAT(history.status().message(), HasSubstr("f:3: expected 4 tab-separated fields"));
  EXPECT_FALSE(ParseDurationHistory("RUN-A\tPICO\t\t-1\n", "f").ok());
  EXPECT_FALSE(ParseDurationHistory("RUN-A\tPICO\t\tnan\n", "f").ok());
  EXPECT_FALSE(ParseDurationHistory("\tPICO\t\t1\n", "f").ok());
}

TEST(DurationHistoryTest, FormatRoundTripsAndLeavesOutWhatItCannotWrite) {
  DurationEstimates history = {{EstimateKey("RUN-A", "PICO", ""), 12.5},
                               {EstimateKey("RUN-A", "PICO", "RISCV"), 3},
                               {EstimateKey("RUN\tTAB", "PICO", ""), 1}};
  absl::StatusOr<DurationEstimates> back = ParseDurationHistory(FormatDurationHistory(history), "");
  ASSERT_TRUE(back.ok()) << back.status();
  history.erase(EstimateKey("RUN\tTAB", "PICO", ""));
  EXPECT_EQ(*back, history);
}

TEST(DurationHistoryTest, MissingFileIsAnEmptyHistory) {
  absl::StatusOr<DurationEstimates> history = LoadDurationHistory(TempPath("none/durations.tsv"));
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_TRUE(history->empty());
  EXPECT_EQ(DurationHistoryPath(""), "");
  EXPECT_EQ(DurationHistoryPath("/c"), "/c/durations.tsv");
}

TEST(DurationHistoryTest, CampaignsMergeByMovingAverageAndKeepOtherCells) {
  std::string path = TempPath("merge/cache/durations.tsv");  // directories made on demand
  DurationHistory first;
  first.Record("RUN-A", "PICO", "", 10);
  first.Record("RUN-A", "PICO", "", 20);  // two runs of one cell (both roles, say): their mean
  first.Record("RUN-B", "PICO", "", 4);
  first.Record("RUN-C", "PICO", "", 0);  // not a duration
  ASSERT_TRUE(first.MergeInto(path).ok());
  DurationHistory second;
  second.Record("RUN-A", "PICO", "", 25);
  ASSERT_TRUE(second.MergeInto(path).ok());
  absl::StatusOr<DurationEstimates> history = LoadDurationHistory(path);
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(*history, (DurationEstimates{{EstimateKey("RUN-A", "PICO", ""), 20},  // (15 + 25) / 2
                                         {EstimateKey("RUN-B", "PICO", ""), 4}}));
}

TEST(DurationHistoryTest, CorruptFileIsReplacedByTheNewDurations) {
  std::string path = TempPath("corrupt.tsv");
  ASSERT_TRUE(report::WriteFileAtomically(path, "RUN-A\tPICO\n\x01\x02garbage").ok());
  EXPECT_FALSE(LoadDurationHistory(path).ok());
  DurationHistory history;
  history.Record("RUN-B", "PICO", "V", 7);
  ASSERT_TRUE(history.MergeInto(path).ok());
  absl::StatusOr<DurationEstimates> loaded = LoadDurationHistory(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(*loaded, (DurationEstimates{{EstimateKey("RUN-B", "PICO", "V"), 7}}));
}

}  // namespace
}  // namespace mptest::sched
