// Tests of MakeProgress: compile lines counted across split pieces, the first and last counts
// always reported, the ones between held back to the interval.
#include "plugins/builders/micropython_make/make_progress.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::micropython_make {
namespace {

using ::testing::ElementsAre;

class MakeProgressTest : public ::testing::Test {
 protected:
  MakeProgress::Report Recorder() {
    return [this](const proto::BuildProgress& progress) {
      reports_.push_back(absl::StrCat(progress.step(), " ", progress.done(), " ", progress.unit()));
    };
  }
  std::vector<std::string> reports_;
};

TEST_F(MakeProgressTest, CountsCompileLinesSplitAcrossPieces) {
  MakeProgress progress("make", Recorder(), absl::ZeroDuration());
  progress.Feed(
      "Use make V=1 or set BUILD_VERBOSE in your environment to increase build verbosity.\n");
  progress.Feed("GEN build/genhdr/mpversion.h\nCC ../../py/mpst");
  progress.Feed("ate.c\nCXX ../../lib/x.cpp\nAS ../../ports/qemu/start");
  progress.Feed("up.s\nLINK build/firmware.elf\n   text\t   data\n");
  progress.Feed("CC ../../py/last.c");  // no newline: counted when the step ends
  progress.Finish();
  EXPECT_EQ(progress.compiled(), 4);
  // One report per piece that finished compile lines: the third finished two.
  EXPECT_THAT(reports_,
              ElementsAre("make 0 files", "make 2 files", "make 3 files", "make 4 files"));
}

TEST_F(MakeProgressTest, HoldsBackCountsWithinTheIntervalButNeverTheLast) {
  MakeProgress progress("mpy-cross", Recorder(), absl::Hours(1));
  for (int i = 0; i < 50; ++i) progress.Feed(absl::StrCat("CC ../py/f", i, ".c\n"));
  progress.Finish();
  progress.Finish();  // nothing new: nothing more
  EXPECT_THAT(reports_, ElementsAre("mpy-cross 0 files", "mpy-cross 50 files"));
}

}  // namespace
}  // namespace mptest::micropython_make
