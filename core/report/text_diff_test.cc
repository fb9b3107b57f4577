// Tests of the unified diff shown for failed tests.
#include "core/report/text_diff.h"

#include "gtest/gtest.h"

namespace mptest::report {
namespace {

TEST(UnifiedDiffTest, EqualTextsHaveNoDiff) { EXPECT_EQ(UnifiedDiff("a\nb\n", "a\nb\n"), ""); }

TEST(UnifiedDiffTest, OneChangedLineWithContext) {
  EXPECT_EQ(UnifiedDiff("1\n2\n3\n4\n5\n6\n", "1\n2\n3\nfour\n5\n6\n"),
            "--- expected\n+++ output\n@@ -2,5 +2,5 @@\n 2\n 3\n-4\n+four\n 5\n 6\n");
}

TEST(UnifiedDiffTest, MissingAndExtraLines) {
  EXPECT_EQ(UnifiedDiff("a\n", ""), "--- expected\n+++ output\n@@ -1,1 +0,0 @@\n-a\n");
  EXPECT_EQ(UnifiedDiff("", "CRASH"), "--- expected\n+++ output\n@@ -0,0 +1,1 @@\n+CRASH\n");
}

TEST(UnifiedDiffTest, DistantChangesAreSeparateHunksAndLongDiffsAreCut) {
  std::string a, b;
  for (int i = 0; i < 40; ++i) {
    a += std::to_string(i) + "\n";
    b += (i == 3 || i == 30 ? "x" : std::to_string(i)) + "\n";
  }
  const std::string diff = UnifiedDiff(a, b);
  EXPECT_NE(diff.find("@@ -2,5 +2,5 @@"), std::string::npos) << diff;
  EXPECT_NE(diff.find("@@ -29,5 +29,5 @@"), std::string::npos) << diff;
  const std::string cut = UnifiedDiff(a, b, /*max_lines=*/7);
  EXPECT_NE(cut.find("@@ -2,5 +2,5 @@"), std::string::npos) << cut;
  EXPECT_NE(cut.find("... 7 more lines"), std::string::npos) << cut;
}

}  // namespace
}  // namespace mptest::report
