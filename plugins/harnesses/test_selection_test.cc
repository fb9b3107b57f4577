// Tests of test selection: globs, exclusions, -d/--test-dirs, defaults and refusals.
#include "plugins/harnesses/test_selection.h"

#include <filesystem>

#include "core/gitspec/test_repo.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::harnesses {
namespace {

using ::mptest::testing::NewTempDir;
using ::mptest::testing::WriteFile;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class TestSelectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = NewTempDir("tests");
    for (const char* file : {"basics/a.py", "basics/b.py", "basics/notes.txt", "extmod/re1.py",
                             "extmod/re2.py", "extmod/zlib1.py", "misc/m.py"}) {
      ASSERT_TRUE(WriteFile(dir_, file, "print(1)\n").ok());
    }
  }

  proto::TestRunSpec Spec(std::vector<std::string> args) {
    proto::TestRunSpec spec;
    spec.set_label("KIND");
    for (const std::string& arg : args) spec.add_args(arg);
    return spec;
  }

  std::string dir_;
};

TEST_F(TestSelectionTest, GlobsAndExclusionsKeepOptions) {
  absl::StatusOr<std::vector<std::string>> args = ExpandTestArgs(
      Spec({"--via-mpy", "extmod/*.py", "!extmod/re2.py", "--exclude=extmod/z*.py"}), dir_);
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_THAT(*args, ElementsAre("--via-mpy", "extmod/re1.py"));
  EXPECT_THAT(ExpandTestArgs(Spec({"nothing/*.py"}), dir_).status().message(),
              HasSubstr("'nothing/*.py' matches no test file"));
}

TEST_F(TestSelectionTest, DirectoriesFilesAndDefaults) {
  absl::StatusOr<std::vector<std::string>> files =
      SelectTestFiles(Spec({"-d", "basics", "--test-dirs=misc", "extmod/re1.py"}), dir_);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_THAT(*files, ElementsAre("extmod/re1.py", "basics/a.py", "basics/b.py", "misc/m.py"));
  absl::StatusOr<std::vector<std::string>> defaults = SelectTestFiles(Spec({}), dir_);
  ASSERT_TRUE(defaults.ok());
  EXPECT_THAT(*defaults, ElementsAre("basics/a.py", "basics/b.py", "misc/m.py", "extmod/re1.py",
                                     "extmod/re2.py", "extmod/zlib1.py"));
}

TEST_F(TestSelectionTest, Refusals) {
  EXPECT_THAT(SelectTestFiles(Spec({"--emit", "native"}), dir_).status().message(),
              HasSubstr("option '--emit'"));
  EXPECT_THAT(SelectTestFiles(Spec({"-d"}), dir_).status().message(),
              HasSubstr("-d needs a directory"));
  EXPECT_THAT(SelectTestFiles(Spec({"-d", "net_inet"}), dir_).status().message(),
              HasSubstr("no test directory net_inet"));
  EXPECT_THAT(SelectTestFiles(Spec({"basics/zzz.py"}), dir_).status().message(),
              HasSubstr("no test file basics/zzz.py"));
}

}  // namespace
}  // namespace mptest::harnesses
