// Tests for split test kinds: the shards a split kind becomes and the checks on split values.
#include "core/sched/shards.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::sched {
namespace {

using ::testing::HasSubstr;

proto::TestRunSpec Spec(const std::string& label, int split, int tentacles = 1) {
  proto::TestRunSpec spec;
  spec.set_label(label);
  spec.set_harness("native");
  spec.set_split(split);
  spec.set_tentacles(tentacles);
  return spec;
}

TEST(ExpandSplitsTest, ASplitKindBecomesItsShardsInPlace) {
  std::vector<proto::TestRunSpec> specs =
      ExpandSplits({Spec("RUN-A", 0), Spec("RUN-B", 3), Spec("RUN-C", 1)});
  ASSERT_EQ(specs.size(), 5u);
  EXPECT_EQ(specs[0].label(), "RUN-A");
  EXPECT_EQ(specs[4].label(), "RUN-C");
  for (int i = 0; i < 3; ++i) {
    const proto::TestRunSpec& shard = specs[1 + i];
    EXPECT_EQ(shard.label(), "RUN-B." + std::to_string(i + 1) + "of3");
    EXPECT_EQ(shard.shard_index(), i + 1);
    EXPECT_EQ(shard.shard_count(), 3);
    EXPECT_EQ(shard.shard_of(), "RUN-B");
    EXPECT_EQ(shard.split(), 0);
    EXPECT_EQ(shard.harness(), "native");
    EXPECT_EQ(KindLabel(shard), "RUN-B");
  }
  EXPECT_EQ(KindLabel(specs[0]), "RUN-A");
}

TEST(CheckSplitTest, RangeAndTwoTentacleKinds) {
  EXPECT_TRUE(CheckSplit(Spec("RUN-A", 0), 4, "specs.textproto").ok());
  absl::Status big = CheckSplit(Spec("RUN-A", 0), kMaxSplit + 1, "--split");
  EXPECT_EQ(big.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(big.message(), HasSubstr("--split: must be 0 to 64, got 65"));
  EXPECT_FALSE(CheckSplit(Spec("RUN-A", 0), -1, "x").ok());
  absl::Status pair = CheckSplit(Spec("RUN-MULTI", 0, 2), 2, "specs.textproto: spec 'RUN-MULTI'");
  EXPECT_THAT(pair.message(), HasSubstr("runs on two tentacles together"));
  EXPECT_TRUE(CheckSplit(Spec("RUN-MULTI", 0, 2), 1, "x").ok());
}

}  // namespace
}  // namespace mptest::sched
