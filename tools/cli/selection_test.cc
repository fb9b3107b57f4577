// Selecting the plan from the filters: board/variant terms, tags, tests, features, the
// reference tentacle, --flash_skip's "unknown" variant, the cells list-tests prints, and every
// usage error naming its flag.
#include "tools/cli/selection.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/cli/listing.h"

namespace mptest::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

sched::LabConfig Lab() {
  sched::LabConfig lab;
  auto board = [&](const std::string& name, std::vector<std::string> variants,
                   std::vector<std::string> features) {
    proto::BoardDefinition definition;
    definition.set_name(name);
    definition.set_port("virtual");
    for (const std::string& v : variants) definition.add_variants(v);
    for (const std::string& f : features) definition.add_features(f);
    lab.boards[name] = definition;
  };
  board("PICO2", {"", "RISCV"}, {"MCU_ONLY"});
  board("ESP", {""}, {"MCU_ONLY", "WLAN"});
  board("RPI_PICO_W", {""}, {"MCU_ONLY", "WLAN"});
  auto tentacle = [&](const std::string& label, const std::string& board, const std::string& tier) {
    proto::InventoryEntry* entry = lab.inventory.add_tentacles();
    entry->set_label(label);
    entry->set_type("virtual");
    entry->set_board(board);
    (*entry->mutable_tags())["tier"] = tier;
  };
  tentacle("0001-PICO2", "PICO2", "1");
  tentacle("0002-ESP", "ESP", "2");
  tentacle("0003-RPI_PICO_W", "RPI_PICO_W", "3");
  auto spec = [&](const std::string& label, const std::string& fut, int tentacles) {
    proto::TestRunSpec s;
    s.set_label(label);
    s.set_fut(fut);
    s.set_tentacles(tentacles);
    s.add_args("--default");
    lab.specs.push_back(s);
  };
  spec("RUN-A", "MCU_ONLY", 1);
  spec("RUN-NET", "WLAN", 2);
  return lab;
}

TEST(SelectionTest, NoFiltersTakesEverythingAndTheDefaultReference) {
  absl::StatusOr<sched::CampaignPlan> plan = SelectPlan(Lab(), Filters());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->specs.size(), 2u);
  EXPECT_EQ(plan->tentacles.size(), 3u);
  EXPECT_THAT(plan->variants_by_board.at("PICO2"), ElementsAre("", "RISCV"));
  EXPECT_EQ(plan->reference, "0003-RPI_PICO_W");  // the anchor's default
}

TEST(SelectionTest, BoardTermsSelectVariants) {
  Filters filters;
  filters.only_board = {"PICO2-RISCV"};
  filters.skip_test = {"RUN-NET"};
  auto plan = SelectPlan(Lab(), filters);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(plan->variants_by_board.at("PICO2"), ElementsAre("RISCV"));
  EXPECT_EQ(plan->variants_by_board.count("ESP"), 0u);
  filters.only_board = {"PICO2-"};
  plan = SelectPlan(Lab(), filters);
  ASSERT_TRUE(plan.ok());
  EXPECT_THAT(plan->variants_by_board.at("PICO2"), ElementsAre(""));
  filters.only_board.clear();
  filters.skip_board = {"PICO2-RISCV", "ESP"};
  plan = SelectPlan(Lab(), filters);
  ASSERT_TRUE(plan.ok());
  EXPECT_THAT(plan->variants_by_board.at("PICO2"), ElementsAre(""));
  EXPECT_EQ(plan->variants_by_board.count("ESP"), 0u);
}

TEST(SelectionTest, TagsAreAndAcrossFlagsOrWithinValues) {
  Filters filters;
  filters.only_tag = {"tier=1,2"};
  filters.skip_test = {"RUN-NET"};
  auto plan = SelectPlan(Lab(), filters);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->tentacles.size(), 2u);
  EXPECT_THAT(plan->reference, IsEmpty());  // no two-tentacle spec selected
}

TEST(SelectionTest, ReferenceTentacleIsAddedEvenWhenItsBoardIsFilteredOut) {
  Filters filters;
  filters.only_board = {"ESP"};
  filters.reference_board = "RPI_PICO_W";
  auto plan = SelectPlan(Lab(), filters);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->reference, "0003-RPI_PICO_W");
  EXPECT_EQ(plan->tentacles.size(), 2u);
  EXPECT_EQ(plan->variants_by_board.count("RPI_PICO_W"), 0u);  // not tested itself
}

TEST(SelectionTest, FutFiltersAndCommandReplacement) {
  Filters filters;
  filters.skip_fut = {"FUT_WLAN"};
  auto plan = SelectPlan(Lab(), filters);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->specs.size(), 1u);
  EXPECT_EQ(plan->specs[0].label(), "RUN-A");
  filters = Filters();
  filters.only_test = {"RUN-A:--test-dirs=basics --via-mpy"};
  plan = SelectPlan(Lab(), filters);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->specs.size(), 1u);
  EXPECT_THAT(plan->specs[0].args(), ElementsAre("--test-dirs=basics", "--via-mpy"));
  // The anchor's form, which names the runner first.
  filters.only_test = {"RUN-A:run-tests.py --test-dirs=micropython"};
  plan = SelectPlan(Lab(), filters);
  ASSERT_TRUE(plan.ok());
  EXPECT_THAT(plan->specs[0].args(), ElementsAre("--test-dirs=micropython"));
}

TEST(SelectionTest, UsageErrorsNameTheFlag) {
  auto error = [](Filters filters) {
    return std::string(SelectPlan(Lab(), filters).status().message());
  };
  Filters filters;
  filters.only_board = {"NOPE"};
  EXPECT_THAT(error(filters), HasSubstr("--only-board: unknown board 'NOPE'"));
  filters.only_board = {"PICO2-ARM"};
  EXPECT_THAT(error(filters), HasSubstr("--only-board: board PICO2 has no variant 'ARM'"));
  filters = Filters();
  filters.only_board = {"ESP"};
  filters.skip_board = {"PICO2"};
  EXPECT_THAT(error(filters), HasSubstr("--skip-board: cannot be combined with --only-board"));
  filters = Filters();
  filters.only_fut = {"LASER"};
  EXPECT_THAT(error(filters), HasSubstr("--only-fut: unknown feature 'LASER'"));
  filters = Filters();
  filters.only_tag = {"tier"};
  EXPECT_THAT(error(filters), HasSubstr("--only-tag: 'tier': expected key=value1,value2"));
  filters = Filters();
  filters.only_test = {"RUN-A:x", "RUN-NET:y"};
  EXPECT_THAT(error(filters), HasSubstr("only one LABEL:command"));
  filters = Filters();
  filters.reference_board = "NOPE";
  EXPECT_THAT(error(filters), HasSubstr("--reference_board: unknown board 'NOPE'"));
}

TEST(SelectionTest, FlashSkipTestsMultiVariantBoardsOnceAsUnknown) {
  sched::LabConfig lab = Lab();
  lab.inventory.mutable_tentacles(0)->add_variants("RISCV");  // its own list goes too
  Filters filters;
  filters.flash_skip = true;
  auto plan = SelectPlan(lab, filters);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(plan->variants_by_board.at("PICO2"), ElementsAre(kUnknownVariant));
  EXPECT_THAT(plan->variants_by_board.at("ESP"), ElementsAre(""));  // one variant: kept
  EXPECT_THAT(plan->boards.at("PICO2").variants(), ElementsAre(kUnknownVariant));
  EXPECT_THAT(plan->tentacles[0].variants(), IsEmpty());
  std::vector<PlannedCells> cells = PlanCells(*plan);
  ASSERT_EQ(cells.size(), 2u);
  EXPECT_THAT(cells[0].runs, ElementsAre("ESP", "PICO2-unknown", "RPI_PICO_W"));
  EXPECT_THAT(cells[1].runs, ElementsAre("ESP-instance0", "ESP-instance1"));
  // Whole boards and single-variant boards' default variant are still fine.
  filters.only_board = {"PICO2", "ESP-"};
  plan = SelectPlan(lab, filters);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(plan->variants_by_board.at("PICO2"), ElementsAre(kUnknownVariant));
}

TEST(SelectionTest, FlashSkipRefusesAVariantOfAMultiVariantBoard) {
  Filters filters;
  filters.flash_skip = true;
  for (const char* term : {"PICO2-RISCV", "PICO2-"}) {
    filters.only_board = {term};
    EXPECT_THAT(std::string(SelectPlan(Lab(), filters).status().message()),
                HasSubstr(absl::StrCat("--only-board: '", term,
                                       "' names a variant, but with --flash_skip")));
  }
  filters.only_board.clear();
  filters.skip_board = {"PICO2-RISCV"};
  EXPECT_THAT(std::string(SelectPlan(Lab(), filters).status().message()),
              HasSubstr("--skip-board: 'PICO2-RISCV' names a variant"));
}

// The cells listed for a plan follow every filter, as `mptest test` would run them.
TEST(SelectionTest, PlannedCellsFollowTheFilters) {
  auto runs = [](const Filters& filters) {
    auto plan = SelectPlan(Lab(), filters);
    EXPECT_TRUE(plan.ok()) << plan.status();
    std::vector<std::string> all;
    for (const PlannedCells& cells : PlanCells(*plan)) {
      for (const std::string& run : cells.runs) all.push_back(cells.spec.label() + " " + run);
    }
    return all;
  };
  EXPECT_EQ(runs(Filters()).size(), 6u);  // RUN-A on 4 board-variants, RUN-NET on ESP twice
  Filters filters;
  filters.only_test = {"RUN-A"};
  filters.only_board = {"PICO2-RISCV"};
  EXPECT_THAT(runs(filters), ElementsAre("RUN-A PICO2-RISCV"));
  filters = Filters();
  filters.skip_fut = {"WLAN"};
  filters.skip_board = {"PICO2"};
  EXPECT_THAT(runs(filters), ElementsAre("RUN-A ESP", "RUN-A RPI_PICO_W"));
  filters = Filters();
  filters.only_fut = {"FUT_WLAN"};
  filters.only_tag = {"tier=2,3"};
  EXPECT_THAT(runs(filters), ElementsAre("RUN-NET ESP-instance0", "RUN-NET ESP-instance1"));
}

// A two-tentacle cell whose board's only tentacle is the reference is listed as unrunnable.
TEST(SelectionTest, PlannedCellsNameWhatCannotRun) {
  Filters filters;
  filters.only_test = {"RUN-NET"};
  filters.only_board = {"RPI_PICO_W"};
  auto plan = SelectPlan(Lab(), filters);
  ASSERT_TRUE(plan.ok()) << plan.status();
  std::vector<PlannedCells> cells = PlanCells(*plan);
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_THAT(cells[0].runs, IsEmpty());
  ASSERT_EQ(cells[0].unreachable.size(), 2u);
  EXPECT_THAT(cells[0].unreachable[0], HasSubstr("RPI_PICO_W-instance0 (no tentacle"));
}

}  // namespace
}  // namespace mptest::cli
