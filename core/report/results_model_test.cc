// Tests of the summary counts, flaky marking, failures matrices and timeline bars.
#include "core/report/results_model.h"

#include <cmath>

#include "core/report/test_results.h"
#include "gtest/gtest.h"

namespace mptest::report {
namespace {

using testing::SampleResults;

TEST(ResultsModelTest, Summary) {
  proto::Summary summary = ComputeSummary(SampleResults());
  EXPECT_EQ(summary.groups_run(), 4);
  EXPECT_EQ(summary.groups_skipped(), 1);
  EXPECT_EQ(summary.groups_errored(), 1);
  EXPECT_EQ(summary.tests_passed(), 6);
  EXPECT_EQ(summary.tests_failed(), 2);
  EXPECT_EQ(summary.tests_skipped(), 2);
  EXPECT_EQ(summary.tests_xfailed(), 2);
  EXPECT_EQ(summary.tests_errored(), 1);
  EXPECT_EQ(summary.tests_total(), 13);
  EXPECT_EQ(summary.builds_failed(), 1);
}

TEST(ResultsModelTest, MarkFlakyOnlyWhereATestFailedAndPassed) {
  proto::CampaignResults results = SampleResults();
  MarkFlaky(&results);
  for (const proto::TestGroupResult& group : results.groups()) {
    EXPECT_EQ(group.flaky(), group.testid() == "RUN-TESTS_STANDARD@5f2c-RPI_PICO2-RISCV")
        << group.directory_relative();
  }
}

TEST(ResultsModelTest, AnchorTimeFormat) {
  EXPECT_EQ(FormatAnchorTime(testing::kCampaignStart + 61.7), "2026-11-23_02-01-01+0000");
  EXPECT_EQ(FormatAnchorTime(0), "");
}

TEST(ResultsModelTest, FailureMatricesPerTestGroup) {
  std::vector<FailureMatrix> matrices = BuildFailureMatrices(SampleResults());
  ASSERT_EQ(matrices.size(), 2u);
  EXPECT_EQ(matrices[0].testgroup, "RUN-MULTITESTS_MULTINET");
  EXPECT_EQ(matrices[0].rows, std::vector<std::string>{"multi_net/udp_data.py"});
  ASSERT_EQ(matrices[0].columns.size(), 1u);
  EXPECT_EQ(matrices[0].columns[0].Title(), "2d2d-PYBV11-instance0");

  const FailureMatrix& standard = matrices[1];
  EXPECT_EQ(standard.testgroup, "RUN-TESTS_STANDARD");
  EXPECT_EQ(standard.rows, std::vector<std::string>{"basics/int_big.py"});
  // Columns ordered by mcu, then device: stm32 PYBV11 after rp2 devices. The skipped ESP32
  // group ran nothing but still has a column.
  ASSERT_EQ(standard.columns.size(), 3u);
  EXPECT_EQ(standard.columns[0].Title(), "aa11-ESP32_GENERIC");
  EXPECT_EQ(standard.columns[1].Title(), "5f2c-RPI_PICO2-RISCV");
  EXPECT_EQ(standard.columns[2].Title(), "2d2d-PYBV11");
  const std::vector<MatrixCell>& pico = standard.cells.at({0, 1});
  ASSERT_EQ(pico.size(), 2u);
  EXPECT_EQ(pico[0].attempt, "a");
  EXPECT_EQ(pico[0].outcome, "failed");
  EXPECT_EQ(pico[1].attempt, "b");
  EXPECT_EQ(pico[1].outcome, "passed");
  EXPECT_EQ(pico[1].directory_relative, "RUN-TESTS_STANDARD@5f2c-RPI_PICO2-RISCV,b");
  EXPECT_EQ(standard.cells.count({0, 0}), 0u);
}

TEST(ResultsModelTest, TimelineHasBuildsAttemptsAndReferenceLanes) {
  std::vector<proto::TimelineEntry> bars = BuildTimeline(SampleResults());
  int builds = 0, tests = 0, reference = 0;
  for (size_t i = 0; i < bars.size(); ++i) {
    if (i > 0) {
      EXPECT_LE(bars[i - 1].start_s(), bars[i].start_s());
    }
    if (bars[i].kind() == "build") ++builds;
    if (bars[i].kind() == "test") ++tests;
    if (bars[i].label() == "RUN-MULTITESTS_MULTINET,a" && bars[i].lane() == "5f2c-RPI_PICO2") {
      ++reference;
    }
  }
  EXPECT_EQ(builds, 3);
  EXPECT_EQ(tests, 7);  // 6 attempts, the multinet one on two lanes
  EXPECT_EQ(reference, 1);
}

TEST(ResultsModelTest, FlashBarOnlyForAFlashedAttemptAndOnlyOnItsDutLane) {
  auto flash_bars = [](const proto::CampaignResults& results) {
    std::vector<proto::TimelineEntry> found;
    for (const proto::TimelineEntry& bar : BuildTimeline(results)) {
      if (bar.kind() == "flash") found.push_back(bar);
    }
    return found;
  };
  proto::CampaignResults results = SampleResults();
  EXPECT_TRUE(flash_bars(results).empty());
  // The two-tentacle attempt: the bar goes to the DUT's lane, not the reference's.
  for (proto::TestGroupResult& group : *results.mutable_groups()) {
    if (group.tentacle_reference_name().empty()) continue;
    group.set_flash_start_s(group.start_s() + 0.25);
    group.set_flash_end_s(group.start_s() + 1.25);
    std::vector<proto::TimelineEntry> bars = flash_bars(results);
    ASSERT_EQ(bars.size(), 1u);
    EXPECT_EQ(bars[0].lane(), group.tentacle());
    EXPECT_DOUBLE_EQ(bars[0].start_s(), group.start_s() + 0.25);
    EXPECT_DOUBLE_EQ(bars[0].end_s(), group.start_s() + 1.25);
    EXPECT_EQ(bars[0].outcome(), "");
    return;
  }
  FAIL() << "the sample has no two-tentacle attempt";
}

TEST(ResultsModelTest, FormatDuration) {
  EXPECT_EQ(FormatDuration(12.34), "12.3 s");
  EXPECT_EQ(FormatDuration(245), "4 min 05 s");
  EXPECT_EQ(FormatDuration(3720), "1 h 02 min");
  // Values read from a corrupt file: no undefined behaviour, a bounded answer.
  EXPECT_EQ(FormatDuration(-5), "0.0 s");
  EXPECT_EQ(FormatDuration(std::nan("")), "0.0 s");
  EXPECT_EQ(FormatDuration(1.7e308), "277777777 h 46 min");
}

}  // namespace
}  // namespace mptest::report
