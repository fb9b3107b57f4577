// Tests for a shard's part of a test plan (KeepShard).
#include "plugins/harnesses/run_tests_plan.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::harnesses {
namespace {

using ::testing::ElementsAre;

TestPlan FivePlan() {
  TestPlan plan;
  plan.order = {"a.py", "b.py", "c.py", "d.py", "e.py"};
  plan.run = {"a.py", "c.py", "d.py", "e.py"};
  proto::TestOutcome skipped;
  skipped.set_name("b.py");
  skipped.set_outcome("skip");
  plan.skipped = {skipped};
  return plan;
}

proto::TestRunSpec Shard(int index, int count) {
  proto::TestRunSpec spec;
  spec.set_shard_index(index);
  spec.set_shard_count(count);
  return spec;
}

TEST(KeepShardTest, EachShardTakesEveryKthTestOfTheOrder) {
  TestPlan first = FivePlan();
  KeepShard(Shard(1, 2), &first);
  EXPECT_THAT(first.order, ElementsAre("a.py", "c.py", "e.py"));
  EXPECT_THAT(first.run, ElementsAre("a.py", "c.py", "e.py"));
  EXPECT_TRUE(first.skipped.empty());

  TestPlan second = FivePlan();
  KeepShard(Shard(2, 2), &second);
  EXPECT_THAT(second.order, ElementsAre("b.py", "d.py"));
  EXPECT_THAT(second.run, ElementsAre("d.py"));
  ASSERT_EQ(second.skipped.size(), 1u);
  EXPECT_EQ(second.skipped[0].name(), "b.py");
}

TEST(KeepShardTest, NotAShardKeepsEverything) {
  TestPlan plan = FivePlan();
  KeepShard(proto::TestRunSpec(), &plan);
  EXPECT_EQ(plan.order.size(), 5u);
  EXPECT_EQ(plan.run.size(), 4u);
  EXPECT_EQ(plan.skipped.size(), 1u);
}

}  // namespace
}  // namespace mptest::harnesses
