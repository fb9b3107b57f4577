// Tests for the slow-line pacer, with explicit times (no sleeping).
#include "firmware/line_pacer.h"

#include <stdint.h>

#include "gtest/gtest.h"

namespace mptest::firmware {
namespace {

TEST(LinePacerTest, UnlimitedLine) {
  LinePacer pacer(0);
  EXPECT_FALSE(pacer.limited());
  EXPECT_EQ(pacer.Budget(absl::FromUnixSeconds(5)), SIZE_MAX);
}

TEST(LinePacerTest, BytesPerSecondInWindows) {
  LinePacer pacer(100);
  absl::Time t0 = absl::FromUnixSeconds(1000);
  EXPECT_EQ(pacer.Budget(t0), 1u);
  pacer.Consume(1);
  EXPECT_EQ(pacer.Budget(t0), 0u);
  EXPECT_EQ(pacer.Budget(t0 + absl::Milliseconds(500)), 50u);
  pacer.Consume(50);
  EXPECT_EQ(pacer.Budget(t0 + absl::Milliseconds(500)), 0u);
  EXPECT_EQ(pacer.Budget(t0 + absl::Milliseconds(999)), 49u);
  pacer.Consume(49);
  // A new window starts after a second: the rate never exceeds ~100 bytes per second.
  EXPECT_EQ(pacer.Budget(t0 + absl::Seconds(1)), 1u);
}

}  // namespace
}  // namespace mptest::firmware
