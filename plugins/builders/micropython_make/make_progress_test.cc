// Tests of MakeProgress: compile lines counted, the first and last counts always reported, the
// ones between held back to the interval.
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

TEST_F(MakeProgressTest, CountsCompileLines) {
  MakeProgress progress("make", Recorder(), absl::ZeroDuration());
  for (const char* line :
       {"Use make V=1 or set BUILD_VERBOSE in your environment to increase build verbosity.",
        "GEN build/genhdr/mpversion.h", "CC ../../py/mpstate.c", "CXX ../../lib/x.cpp",
        "AS ../../ports/qemu/startup.s", "LINK build/firmware.elf", "   text\t   data",
        "ACC not a compile line", "CC ../../py/last.c"}) {
    progress.Line(line);
  }
  progress.Finish();
  EXPECT_EQ(progress.compiled(), 4);
  EXPECT_THAT(reports_, ElementsAre("make 0 files", "make 1 files", "make 2 files", "make 3 files",
                                    "make 4 files"));
}

TEST_F(MakeProgressTest, HoldsBackCountsWithinTheIntervalButNeverTheLast) {
  MakeProgress progress("mpy-cross", Recorder(), absl::Hours(1));
  for (int i = 0; i < 50; ++i) progress.Line(absl::StrCat("CC ../py/f", i, ".c"));
  progress.Finish();
  progress.Finish();  // nothing new: nothing more
  EXPECT_THAT(reports_, ElementsAre("mpy-cross 0 files", "mpy-cross 50 files"));
}

}  // namespace
}  // namespace mptest::micropython_make
