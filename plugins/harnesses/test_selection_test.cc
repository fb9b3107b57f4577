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

TEST_F(TestSelectionTest, DirectoriesAsRunTestsTakesThem) {
  // run-tests.py's form: -d takes every directory up to the next option.
  absl::StatusOr<std::vector<std::string>> dirs =
      SelectTestFiles(Spec({"-d", "misc", "basics", "--via-mpy"}), dir_);
  ASSERT_TRUE(dirs.ok()) << dirs.status();
  EXPECT_THAT(*dirs, ElementsAre("basics/a.py", "basics/b.py", "misc/m.py"));
  absl::StatusOr<std::vector<std::string>> one = SelectTestFiles(Spec({"--test-dirs=misc"}), dir_);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_THAT(*one, ElementsAre("misc/m.py"));
  // Files named: only they run (run-tests.py ignores -d then).
  absl::StatusOr<std::vector<std::string>> files =
      SelectTestFiles(Spec({"extmod/re1.py", "basics/a.py"}), dir_);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_THAT(*files, ElementsAre("extmod/re1.py", "basics/a.py"));
  absl::StatusOr<std::vector<std::string>> defaults = SelectTestFiles(Spec({}), dir_);
  ASSERT_TRUE(defaults.ok());
  EXPECT_THAT(*defaults, ElementsAre("basics/a.py", "basics/b.py", "extmod/re1.py", "extmod/re2.py",
                                     "extmod/zlib1.py", "misc/m.py"));
}

TEST_F(TestSelectionTest, RunnerOptionsAreKept) {
  absl::StatusOr<RunTestsSelection> selection = ParseRunTestsArgs(
      Spec({"--via-mpy", "--emit", "native", "-e", "re2", "-d", "extmod", "basics"}), dir_);
  ASSERT_TRUE(selection.ok()) << selection.status();
  EXPECT_TRUE(selection->via_mpy);
  EXPECT_EQ(selection->emit, "native");
  EXPECT_THAT(selection->RunnerArgs(),
              ElementsAre("--via-mpy", "--emit", "native", "-e", "re2", "-d", "extmod", "basics"));
  absl::StatusOr<RunTestsSelection> equals = ParseRunTestsArgs(Spec({"--emit=native"}), dir_);
  ASSERT_TRUE(equals.ok()) << equals.status();
  EXPECT_EQ(equals->emit, "native");
}

TEST_F(TestSelectionTest, Refusals) {
  // Repeated -d: run-tests.py would keep only the last directory; refused, not half-run.
  EXPECT_THAT(SelectTestFiles(Spec({"-d", "basics", "-d", "misc"}), dir_).status().message(),
              HasSubstr("given twice"));
  EXPECT_EQ(SelectTestFiles(Spec({"-d", "basics", "-d", "misc"}), dir_).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(SelectTestFiles(Spec({"--emit", "viper"}), dir_).status().message(),
              HasSubstr("expected bytecode or native"));
  EXPECT_THAT(SelectTestFiles(Spec({"--target=foo"}), dir_).status().message(),
              HasSubstr("option '--target=foo'"));
  EXPECT_THAT(SelectTestFiles(Spec({"-d"}), dir_).status().message(),
              HasSubstr("-d needs a directory"));
  EXPECT_THAT(SelectTestFiles(Spec({"-d", "net_inet"}), dir_).status().message(),
              HasSubstr("no test directory net_inet"));
  EXPECT_THAT(SelectTestFiles(Spec({"basics/zzz.py"}), dir_).status().message(),
              HasSubstr("no test file basics/zzz.py"));
}

}  // namespace
}  // namespace mptest::harnesses
