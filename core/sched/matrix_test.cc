// The matrix: expansion, the anchor's ordering, reference handling and dropping.
#include "core/sched/matrix.h"

#include <cmath>
#include <memory>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::sched {
namespace {

proto::TestRunSpec Spec(const std::string& label, int priority, int tentacles = 1) {
  proto::TestRunSpec spec;
  spec.set_label(label);
  spec.set_fut("MCU_ONLY");
  spec.set_priority(priority);
  spec.set_tentacles(tentacles);
  spec.set_timeout_s(10);
  return spec;
}

TentacleSlot Slot(const std::string& serial, const std::string& board,
                  std::vector<std::string> variants) {
  TentacleSlot slot;
  slot.label = serial + "-" + board;
  slot.serial4 = serial;
  slot.board = board;
  slot.variants = std::move(variants);
  return slot;
}

TEST(MatrixTest, TestIdFormat) {
  EXPECT_EQ(MakeTestId("RUN-TESTS_STANDARD", "2731", "RPI_PICO2", "RISCV", ""),
            "RUN-TESTS_STANDARD@2731-RPI_PICO2-RISCV");
  EXPECT_EQ(MakeTestId("RUN-MULTITESTS_MULTINET", "1830", "LOLIN_C3_MINI", "", "instance0"),
            "RUN-MULTITESTS_MULTINET@1830-LOLIN_C3_MINI-instance0");
  proto::InventoryEntry entry;
  entry.set_usb_serial("e46340474b4c2731");
  EXPECT_EQ(Serial4(entry), "2731");
  entry.clear_usb_serial();
  entry.set_label("5f2c-RPI_PICO2");
  EXPECT_EQ(Serial4(entry), "5f2c");
}

// The time left: nothing before any duration is known; then the busiest board's work per
// usable tentacle (runs under way included), and no less than all work over --jobs.
TEST(MatrixTest, EstimateRemainingIsTheBusiestBoardsWorkPerTentacle) {
  auto make = [](DurationEstimates estimates) {
    return std::make_unique<Matrix>(
        std::vector<proto::TestRunSpec>{Spec("RUN-A", 0), Spec("RUN-B", 0)},
        std::vector<TentacleSlot>{Slot("1111", "ONE", {""}), Slot("2222", "TWO", {""}),
                                  Slot("3333", "TWO", {""})},
        std::map<std::string, std::vector<std::string>>{{"ONE", {""}}, {"TWO", {""}}},
        std::map<std::string, std::vector<std::string>>{{"ONE", {"MCU_ONLY"}},
                                                        {"TWO", {"MCU_ONLY"}}},
        -1, std::move(estimates));
  };
  EXPECT_FALSE(make({})->EstimateRemaining({}, 0).has_value());
  std::unique_ptr<Matrix> matrix = make({{EstimateKey("RUN-A", "ONE", ""), 100},
                                         {EstimateKey("RUN-B", "ONE", ""), 50},
                                         {EstimateKey("RUN-A", "TWO", ""), 30},
                                         {EstimateKey("RUN-B", "TWO", ""), 10}});
  EXPECT_DOUBLE_EQ(*matrix->EstimateRemaining({}, 0), 150);  // ONE: 150 s on one tentacle
  EXPECT_DOUBLE_EQ(*matrix->EstimateRemaining({{"TWO", 300}}, 0), 170);  // (40 + 300) / 2
  EXPECT_DOUBLE_EQ(*matrix->EstimateRemaining({}, 1), 190);  // everything on one job slot
  EXPECT_DOUBLE_EQ(matrix->SpecEstimate(0), 65);             // RUN-A's mean
  matrix->SetFirmwareReady("ONE", "");
  std::optional<PlannedRun> run = matrix->Next();
  ASSERT_TRUE(run);
  EXPECT_DOUBLE_EQ(run->expected_s, 100);  // RUN-A on ONE, the longer one, first
  EXPECT_DOUBLE_EQ(*matrix->EstimateRemaining({}, 0), 50);
}

TEST(MatrixTest, OrderIsPriorityThenManyVariantsThenFlashedThenId) {
  Matrix matrix({Spec("RUN-A", 0), Spec("RUN-FLASH_FORMAT", 10)},
                {Slot("1111", "ONE", {""}), Slot("2222", "TWO", {"", "V"})},
                {{"ONE", {""}}, {"TWO", {"", "V"}}}, {{"ONE", {"MCU_ONLY"}}, {"TWO", {"MCU_ONLY"}}},
                -1);
  EXPECT_EQ(matrix.total(), 6);
  matrix.SetFirmwareReady("ONE", "");
  matrix.SetFirmwareReady("TWO", "");
  matrix.SetFirmwareReady("TWO", "V");
  std::optional<PlannedRun> first = matrix.Next();
  ASSERT_TRUE(first);
  // Priority 10 first, and the board with two variants before the one with one.
  EXPECT_EQ(first->testid, "RUN-FLASH_FORMAT@2222-TWO");
  std::optional<PlannedRun> second = matrix.Next();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->testid, "RUN-FLASH_FORMAT@1111-ONE");
  EXPECT_FALSE(matrix.Next());  // both tentacles busy
  matrix.Release(*first, /*firmware_known=*/true);
  // TWO holds variant "": the run that avoids reflashing comes before RUN-FLASH_FORMAT...-V.
  std::optional<PlannedRun> third = matrix.Next();
  ASSERT_TRUE(third);
  EXPECT_EQ(third->testid, "RUN-FLASH_FORMAT@2222-TWO-V");  // priority still wins
  matrix.Release(*third, true);
  std::optional<PlannedRun> fourth = matrix.Next();
  ASSERT_TRUE(fourth);
  EXPECT_EQ(fourth->testid, "RUN-A@2222-TWO-V");  // flashed with V: no reflash
  EXPECT_TRUE(fourth->firmware_already_flashed);
}

TEST(MatrixTest, WaitsForFirmware) {
  Matrix matrix({Spec("RUN-A", 0)}, {Slot("1111", "ONE", {""})}, {{"ONE", {""}}},
                {{"ONE", {"MCU_ONLY"}}}, -1);
  EXPECT_FALSE(matrix.Next());
  matrix.SetFirmwareReady("ONE", "");
  EXPECT_TRUE(matrix.Next());
  EXPECT_EQ(matrix.remaining(), 0);
}

TEST(MatrixTest, TwoTentacleSpecReservesBothAndNeverUsesReferenceAsDut) {
  Matrix matrix({Spec("RUN-MULTI", 0, 2)}, {Slot("0001", "REF", {""}), Slot("0002", "DUT", {""})},
                {{"REF", {""}}, {"DUT", {""}}}, {{"REF", {"MCU_ONLY"}}, {"DUT", {"MCU_ONLY"}}},
                /*reference=*/0);
  EXPECT_EQ(matrix.total(), 4);  // 2 boards x 2 roles
  matrix.SetFirmwareReady("REF", "");
  matrix.SetFirmwareReady("DUT", "");
  std::optional<PlannedRun> run = matrix.Next();
  ASSERT_TRUE(run);
  EXPECT_EQ(run->testid, "RUN-MULTI@0002-DUT-instance0");
  EXPECT_EQ(run->tentacles, (std::vector<int>{1, 0}));
  EXPECT_EQ(run->reference, 0);
  EXPECT_FALSE(matrix.Next());  // both busy
  matrix.Release(*run, true);
  run = matrix.Next();
  ASSERT_TRUE(run);
  EXPECT_EQ(run->testid, "RUN-MULTI@0002-DUT-instance1");
  EXPECT_EQ(run->tentacles, (std::vector<int>{0, 1}));
  matrix.Release(*run, true);
  EXPECT_FALSE(matrix.Next());  // REF entries: the reference cannot be its own reference
  auto dropped = matrix.DropUnreachable();
  EXPECT_EQ(dropped.size(), 2u);
  EXPECT_THAT(dropped[0].second, ::testing::HasSubstr("other than the reference"));
  EXPECT_EQ(matrix.remaining(), 0);
}

TEST(MatrixTest, TwoTentaclesOfOneBoardRunVariantsInParallelNotTwice) {
  Matrix matrix({Spec("RUN-A", 0)},
                {Slot("0001", "P2", {"", "RISCV"}), Slot("0002", "P2", {"", "RISCV"})},
                {{"P2", {"", "RISCV"}}}, {{"P2", {"MCU_ONLY"}}}, -1);
  EXPECT_EQ(matrix.total(), 2);
  matrix.SetFirmwareReady("P2", "");
  matrix.SetFirmwareReady("P2", "RISCV");
  EXPECT_TRUE(matrix.Next());
  EXPECT_TRUE(matrix.Next());
  EXPECT_FALSE(matrix.Next());
}

TEST(MatrixTest, FailedFirmwareDropsOnlyThatBoardVariant) {
  Matrix matrix({Spec("RUN-A", 0), Spec("RUN-B", 0)},
                {Slot("0001", "ONE", {""}), Slot("0002", "TWO", {""})},
                {{"ONE", {""}}, {"TWO", {""}}}, {{"ONE", {"MCU_ONLY"}}, {"TWO", {"MCU_ONLY"}}}, -1);
  EXPECT_EQ(matrix.DropFirmware("ONE", "").size(), 2u);
  EXPECT_EQ(matrix.remaining(), 2);
}

TEST(MatrixTest, QuarantinedBoardBecomesUnreachable) {
  Matrix matrix({Spec("RUN-A", 0)}, {Slot("0001", "ONE", {""})}, {{"ONE", {""}}},
                {{"ONE", {"MCU_ONLY"}}}, -1);
  matrix.Quarantine(0, "cannot start: the relay board caught fire");
  matrix.SetFirmwareReady("ONE", "");
  EXPECT_FALSE(matrix.Next());
  auto dropped = matrix.DropUnreachable();
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0].second,
            "no usable tentacle of this board (all quarantined): 0001-ONE: cannot start: the "
            "relay board caught fire");
}

}  // namespace
}  // namespace mptest::sched

namespace mptest::sched {
namespace {

TEST(MatrixTest, HistoryStartsTheLongestRunsFirstAfterPriority) {
  Matrix matrix({Spec("RUN-SHORT", 0), Spec("RUN-LONG", 0), Spec("RUN-FLASH", 10)},
                {Slot("0001", "ONE", {""})}, {{"ONE", {""}}}, {{"ONE", {"MCU_ONLY"}}}, -1,
                {{EstimateKey("RUN-SHORT", "ONE", ""), 5.0},
                 {EstimateKey("RUN-LONG", "ONE", ""), 300.0},
                 {EstimateKey("RUN-FLASH", "ONE", ""), 1.0}});
  matrix.SetFirmwareReady("ONE", "");
  std::vector<std::string> order;
  while (std::optional<PlannedRun> run = matrix.Next()) {
    order.push_back(matrix.specs()[run->entry.spec].label());
    matrix.Release(*run, true);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"RUN-FLASH", "RUN-LONG", "RUN-SHORT"}));
}

}  // namespace
}  // namespace mptest::sched

namespace mptest::sched {
namespace {

TEST(MatrixTest, CellPerTentacleGivesEveryTentacleItsOwnRun) {
  Matrix matrix({Spec("FLASH", 0)},
                {Slot("0001", "P2", {"", "RISCV"}), Slot("0002", "P2", {"", "RISCV"}),
                 Slot("0003", "ONE", {""})},
                {{"P2", {""}}, {"ONE", {""}}}, {{"P2", {"MCU_ONLY"}}, {"ONE", {"MCU_ONLY"}}}, -1,
                {}, /*cell_per_tentacle=*/true);
  EXPECT_EQ(matrix.total(), 3);
  matrix.SetFirmwareReady("P2", "");
  matrix.SetFirmwareReady("ONE", "");
  std::set<std::string> ids;
  while (std::optional<PlannedRun> run = matrix.Next()) ids.insert(run->testid);
  EXPECT_EQ(ids, (std::set<std::string>{"FLASH@0001-P2", "FLASH@0002-P2", "FLASH@0003-ONE"}));
}

TEST(MatrixTest, ASpecWithoutAFeatureUnderTestRunsOnEveryBoard) {
  proto::TestRunSpec flash = Spec("FLASH", 0);
  flash.clear_fut();  // the flash command's
  Matrix matrix({flash, Spec("RUN-TESTS", 0)},
                {Slot("0001", "BIG", {""}), Slot("0002", "SMALL", {""})},
                {{"BIG", {""}}, {"SMALL", {""}}}, {{"BIG", {"MCU_ONLY"}}, {"SMALL", {"MCU_SMALL"}}},
                -1, {}, /*cell_per_tentacle=*/true);
  matrix.SetFirmwareReady("BIG", "");
  matrix.SetFirmwareReady("SMALL", "");
  std::set<std::string> ids;
  while (std::optional<PlannedRun> run = matrix.Next()) {
    ids.insert(run->testid);
    matrix.Release(*run, true);
  }
  EXPECT_EQ(ids,
            (std::set<std::string>{"FLASH@0001-BIG", "FLASH@0002-SMALL", "RUN-TESTS@0001-BIG"}));
}

}  // namespace
}  // namespace mptest::sched

namespace mptest::sched {
namespace {

TEST(MatrixTest, DurationsObservedDuringTheCampaignOrderTheRest) {
  Matrix matrix({Spec("RUN-A", 0), Spec("RUN-B", 0), Spec("RUN-C", 0), Spec("RUN-D", 0)},
                {Slot("0001", "ONE", {""})}, {{"ONE", {""}}}, {{"ONE", {"MCU_ONLY"}}}, -1);
  matrix.SetFirmwareReady("ONE", "");
  std::optional<PlannedRun> first = matrix.Next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->testid, "RUN-A@0001-ONE");  // nothing known yet: the anchor's order
  matrix.Observe("RUN-B", 5);
  matrix.Observe("RUN-C", 300);
  matrix.Observe("RUN-NOT-IN-THE-MATRIX", 1e6);  // ignored, as are durations that are not > 0
  matrix.Observe("RUN-D", 0);
  matrix.Observe("RUN-D", -3);
  matrix.Observe("RUN-D", std::nan(""));
  matrix.Release(*first, true);
  std::vector<std::string> order;
  while (std::optional<PlannedRun> run = matrix.Next()) {
    order.push_back(matrix.specs()[run->entry.spec].label());
    matrix.Release(*run, true);
  }
  // RUN-D was never seen: it is expected to take the mean of what is known (152.5 s).
  EXPECT_EQ(order, (std::vector<std::string>{"RUN-C", "RUN-D", "RUN-B"}));
}

TEST(MatrixTest, WithoutAnythingKnownEveryBoardKeepsTheAnchorsOrder) {
  Matrix matrix({Spec("RUN-B", 0), Spec("RUN-A", 0), Spec("RUN-P", 5)},
                {Slot("0001", "ONE", {""}), Slot("0002", "TWO", {"", "V"})},
                {{"ONE", {""}}, {"TWO", {"", "V"}}}, {{"ONE", {"MCU_ONLY"}}, {"TWO", {"MCU_ONLY"}}},
                -1);
  for (const auto& [board, variant] :
       std::vector<std::pair<std::string, std::string>>{{"ONE", ""}, {"TWO", ""}, {"TWO", "V"}}) {
    matrix.SetFirmwareReady(board, variant);
  }
  std::vector<std::string> order;
  while (std::optional<PlannedRun> run = matrix.Next()) {
    order.push_back(run->testid);
    matrix.Release(*run, true);
  }
  // Priority first, the board with more variants first, no reflash, then the test id.
  EXPECT_EQ(order,
            (std::vector<std::string>{"RUN-P@0002-TWO", "RUN-P@0002-TWO-V", "RUN-P@0001-ONE",
                                      "RUN-A@0002-TWO-V", "RUN-B@0002-TWO-V", "RUN-A@0002-TWO",
                                      "RUN-B@0002-TWO", "RUN-A@0001-ONE", "RUN-B@0001-ONE"}));
}

}  // namespace
}  // namespace mptest::sched

namespace mptest::sched {
namespace {

TEST(MatrixTest, AMuchLongerRunIsWorthAReflashASimilarOneIsNot) {
  Matrix matrix({Spec("RUN-A", 0), Spec("RUN-B", 0)}, {Slot("0001", "TWO", {"", "V"})},
                {{"TWO", {"", "V"}}}, {{"TWO", {"MCU_ONLY"}}}, -1,
                {{EstimateKey("RUN-A", "TWO", ""), 100},
                 {EstimateKey("RUN-A", "TWO", "V"), 400},
                 {EstimateKey("RUN-B", "TWO", ""), 90},
                 {EstimateKey("RUN-B", "TWO", "V"), 80}});
  matrix.SetFirmwareReady("TWO", "");
  matrix.SetFirmwareReady("TWO", "V");
  std::vector<std::string> order;
  int flashes = 0;
  while (std::optional<PlannedRun> run = matrix.Next()) {
    order.push_back(run->testid);
    flashes += !run->firmware_already_flashed;
    matrix.Release(*run, true);
  }
  // 400 s first; then V's 80 s run needs no reflash and is within kSimilarLengthRatio of the
  // 100 s one, which would: it goes first, so the board is flashed twice instead of three times.
  EXPECT_EQ(order, (std::vector<std::string>{"RUN-A@0001-TWO-V", "RUN-B@0001-TWO-V",
                                             "RUN-A@0001-TWO", "RUN-B@0001-TWO"}));
  EXPECT_EQ(flashes, 2);
}

}  // namespace
}  // namespace mptest::sched

namespace mptest::sched {
namespace {

TEST(MatrixTest, TheBoardWithTheMostWorkPerTentacleGoesFirst) {
  Matrix matrix({Spec("RUN-A", 0), Spec("RUN-B", 0), Spec("RUN-C", 0)},
                {Slot("0001", "ONE", {""}), Slot("0002", "TWO", {""})},
                {{"ONE", {""}}, {"TWO", {""}}}, {{"ONE", {"MCU_ONLY"}}, {"TWO", {"MCU_ONLY"}}}, -1,
                {{EstimateKey("RUN-A", "ONE", ""), 100},
                 {EstimateKey("RUN-B", "ONE", ""), 1},
                 {EstimateKey("RUN-C", "ONE", ""), 1},
                 {EstimateKey("RUN-A", "TWO", ""), 60},
                 {EstimateKey("RUN-B", "TWO", ""), 60},
                 {EstimateKey("RUN-C", "TWO", ""), 60}});
  matrix.SetFirmwareReady("ONE", "");
  matrix.SetFirmwareReady("TWO", "");
  // With one job slot free (--jobs), TWO's 180 s of work on its one tentacle decide the
  // campaign's length, not ONE's single 100 s run.
  std::optional<PlannedRun> first = matrix.Next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->entry.board, "TWO");
  std::optional<PlannedRun> second = matrix.Next();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->testid, "RUN-A@0001-ONE");  // then ONE's longest
}

}  // namespace
}  // namespace mptest::sched

namespace mptest::sched {
namespace {

TEST(MatrixTest, EstimateKeysSplitFromTheRight) {
  std::string label, board, variant;
  ASSERT_TRUE(SplitEstimateKey(EstimateKey("RUN|ODD", "PICO", "RISCV"), &label, &board, &variant));
  EXPECT_EQ(label, "RUN|ODD");
  EXPECT_EQ(board, "PICO");
  EXPECT_EQ(variant, "RISCV");
  ASSERT_TRUE(SplitEstimateKey(EstimateKey("RUN-A", "PICO", ""), &label, &board, &variant));
  EXPECT_EQ(variant, "");
  EXPECT_FALSE(SplitEstimateKey("no separators", &label, &board, &variant));
  EXPECT_FALSE(SplitEstimateKey("one|separator", &label, &board, &variant));
}

}  // namespace
}  // namespace mptest::sched
