// Tests of the micropython_make builder against testdata/fake_micropython: every git spec form
// (on local repositories made here), cache hits and misses, a failing build, the unix port, the
// build prefix, make -j and extra arguments.
#include "plugins/builders/micropython_make/micropython_make_builder.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/gitspec/gitspec.h"
#include "core/gitspec/test_repo.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::micropython_make {
namespace {

namespace fs = std::filesystem;
using ::mptest::testing::CommitAll;
using ::mptest::testing::Git;
using ::mptest::testing::NewTempDir;
using ::mptest::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// Lines of make-invocations.log of every tree the builder used.
int MakeInvocations(const std::string& tree) {
  const std::string log = ReadFile(fs::path(tree) / "make-invocations.log");
  return static_cast<int>(std::count(log.begin(), log.end(), '\n'));
}

proto::BoardDefinition Board(const std::string& name, const std::string& port) {
  proto::BoardDefinition board;
  board.set_name(name);
  board.set_port(port);
  board.add_variants("");
  board.add_variants("RISCV");
  return board;
}

class MicropythonMakeBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_ = NewTempDir("micropython");
    cache_ = NewTempDir("cache");
    fs::copy("testdata/fake_micropython", repo_, fs::copy_options::recursive);
    ASSERT_TRUE(testing::InitRepo(repo_).ok());
    ASSERT_TRUE(CommitAll(repo_, "fake micropython").ok());
    ASSERT_TRUE(Git(repo_, {"tag", "v1.99.0"}).ok());
    ASSERT_TRUE(WriteFile(repo_, "README.md", "second commit\n").ok());
    absl::StatusOr<std::string> second = CommitAll(repo_, "second");
    ASSERT_TRUE(second.ok());
    main_commit_ = *second;
  }

  proto::BuildRequest Request(const std::string& source, const std::string& board = "RPI_PICO",
                              const std::string& port = "rp2") {
    proto::BuildRequest request;
    request.set_source(source);
    *request.mutable_board() = Board(board, port);
    request.set_output_dir(NewTempDir("out"));
    request.set_cache_dir(cache_);
    request.set_jobs(2);
    return request;
  }

  absl::StatusOr<proto::Firmware> Build(const proto::BuildRequest& request) {
    MicropythonMakeBuilder builder(BuilderOptions{.cores = 4});
    return builder.Build(request);
  }

  // The clone the builder made for a git spec.
  std::string TreeOf(const std::string& spec) {
    absl::StatusOr<GitSpec> parsed = ParseGitSpec(spec);
    EXPECT_TRUE(parsed.ok());
    return (fs::path(cache_) / "git" / ("firmware_" + GitSpecSlug(*parsed))).string();
  }

  std::string repo_, cache_, main_commit_;
};

TEST_F(MicropythonMakeBuilderTest, BuildsAGitUrlAndReportsTheVersion) {
  absl::StatusOr<proto::Firmware> firmware = Build(Request("file://" + repo_));
  ASSERT_TRUE(firmware.ok()) << firmware.status();
  EXPECT_FALSE(firmware->from_cache());
  EXPECT_EQ(firmware->kind(), "uf2");
  EXPECT_EQ(firmware->board(), "RPI_PICO");
  EXPECT_EQ(firmware->source_revision(), main_commit_);
  EXPECT_EQ(fs::path(firmware->path()).filename(), "firmware.uf2");
  EXPECT_THAT(ReadFile(firmware->path()), HasSubstr("port=rp2 build=RPI_PICO"));
  // git describe in the clone: one commit after the tag.
  EXPECT_THAT(firmware->version(), StartsWith("RPI_PICO;3.4.0; MicroPython v1.99.0-1-g"));
  EXPECT_THAT(firmware->version(), ::testing::EndsWith(" on 2026-11-23;RPI_PICO"));
  EXPECT_THAT(ReadFile(firmware->mpy_cross()), HasSubstr("mpy-cross"));
  EXPECT_TRUE(fs::exists(firmware->build_log()));
  // mpy-cross, submodules, the port: three make runs, with -j bounded by the request.
  const std::string log = ReadFile(fs::path(TreeOf("file://" + repo_)) / "make-invocations.log");
  EXPECT_THAT(log, HasSubstr("mpy-cross"));
  EXPECT_THAT(log, HasSubstr("rp2 RPI_PICO submodules"));
  EXPECT_THAT(log, ::testing::ContainsRegex("rp2 RPI_PICO [^\n]*-j2"));
}

TEST_F(MicropythonMakeBuilderTest, ReportsEachStepAndTheFilesCompiled) {
  MicropythonMakeBuilder builder(BuilderOptions{.cores = 4});
  std::vector<std::string> steps;
  builder.SetProgressReporter([&steps](const proto::BuildProgress& progress) {
    steps.push_back(absl::StrCat(progress.step(), " ", progress.done(), " ", progress.unit()));
  });
  absl::StatusOr<proto::Firmware> firmware = builder.Build(Request("file://" + repo_));
  ASSERT_TRUE(firmware.ok()) << firmware.status();
  ASSERT_FALSE(steps.empty());
  EXPECT_EQ(steps.front(), "checkout 0 ");
  EXPECT_THAT(steps, ::testing::Contains("mpy-cross 0 files"));
  EXPECT_THAT(steps, ::testing::Contains("submodules 0 files"));
  EXPECT_THAT(steps, ::testing::Contains("make 0 files"));
  EXPECT_EQ(steps.back(), "make 2 files") << "the fake port's two CC lines";
}

TEST_F(MicropythonMakeBuilderTest, UrlAtRefBuildsTheTag) {
  absl::StatusOr<proto::Firmware> firmware = Build(Request(repo_ + "@v1.99.0"));
  ASSERT_TRUE(firmware.ok()) << firmware.status();
  EXPECT_THAT(firmware->version(), StartsWith("RPI_PICO;3.4.0; MicroPython v1.99.0 on "));
  EXPECT_NE(firmware->source_revision(), main_commit_);
}

TEST_F(MicropythonMakeBuilderTest, PullRequestAndRebasedPullRequest) {
  // PR 5 starts at the tag and edits the firmware's Makefile content.
  ASSERT_TRUE(Git(repo_, {"checkout", "-q", "-b", "pr", "v1.99.0"}).ok());
  ASSERT_TRUE(WriteFile(repo_, "pr.txt", "the PR\n").ok());
  absl::StatusOr<std::string> pr = CommitAll(repo_, "pr 5");
  ASSERT_TRUE(pr.ok());
  ASSERT_TRUE(Git(repo_, {"update-ref", "refs/pull/5/head", *pr}).ok());
  ASSERT_TRUE(Git(repo_, {"checkout", "-q", "main"}).ok());

  absl::StatusOr<proto::Firmware> head = Build(Request("file://" + repo_ + "~5"));
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->source_revision(), *pr);

  absl::StatusOr<proto::Firmware> rebased = Build(Request("file://" + repo_ + "~5@main"));
  ASSERT_TRUE(rebased.ok()) << rebased.status();
  EXPECT_FALSE(rebased->from_cache());
  EXPECT_NE(rebased->source_revision(), *pr);
  absl::StatusOr<std::string> parent =
      Git(TreeOf("file://" + repo_ + "~5@main"), {"rev-parse", "HEAD~1"});
  ASSERT_TRUE(parent.ok());
  EXPECT_EQ(absl::StripAsciiWhitespace(*parent), main_commit_);
  EXPECT_THAT(rebased->version(), StartsWith("RPI_PICO;3.4.0; MicroPython v1.99.0-2-g"));
}

TEST_F(MicropythonMakeBuilderTest, CacheHitRunsNoMake) {
  absl::StatusOr<proto::Firmware> first = Build(Request("file://" + repo_));
  ASSERT_TRUE(first.ok()) << first.status();
  const int runs = MakeInvocations(TreeOf("file://" + repo_));
  proto::BuildRequest again = Request("file://" + repo_);
  again.set_jobs(1);  // -j is not part of the cache key
  absl::StatusOr<proto::Firmware> second = Build(again);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->from_cache());
  EXPECT_EQ(MakeInvocations(TreeOf("file://" + repo_)), runs);
  EXPECT_EQ(second->version(), first->version());
  EXPECT_EQ(ReadFile(second->path()), ReadFile(first->path()));
  EXPECT_TRUE(fs::path(second->path()).string().rfind(again.output_dir(), 0) == 0);

  // Another variant, other arguments: misses. mpy-cross is not rebuilt for the same tree.
  proto::BuildRequest variant = Request("file://" + repo_);
  variant.set_variant("RISCV");
  absl::StatusOr<proto::Firmware> third = Build(variant);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_FALSE(third->from_cache());
  EXPECT_THAT(ReadFile(third->path()), HasSubstr("build=RPI_PICO-RISCV"));
  proto::BuildRequest with_args = Request("file://" + repo_);
  with_args.add_args("EXTRA=abc");
  absl::StatusOr<proto::Firmware> fourth = Build(with_args);
  ASSERT_TRUE(fourth.ok()) << fourth.status();
  EXPECT_FALSE(fourth->from_cache());
  EXPECT_THAT(ReadFile(fourth->path()), HasSubstr("extra=abc"));
  const std::string log = ReadFile(fs::path(TreeOf("file://" + repo_)) / "make-invocations.log");
  std::vector<absl::string_view> lines = absl::StrSplit(log, '\n', absl::SkipEmpty());
  EXPECT_EQ(std::count_if(lines.begin(), lines.end(),
                          [](absl::string_view line) { return line.find("mpy-cross") == 0; }),
            1);
}

TEST_F(MicropythonMakeBuilderTest, LocalDirectoryCachesByWorkingTreeDiff) {
  absl::StatusOr<proto::Firmware> clean = Build(Request(repo_));
  ASSERT_TRUE(clean.ok()) << clean.status();
  EXPECT_EQ(clean->source_revision(), main_commit_);
  ASSERT_TRUE(WriteFile(repo_, "README.md", "an uncommitted edit\n").ok());
  absl::StatusOr<proto::Firmware> dirty = Build(Request(repo_));
  ASSERT_TRUE(dirty.ok()) << dirty.status();
  EXPECT_FALSE(dirty->from_cache());
  EXPECT_THAT(dirty->source_revision(), StartsWith(main_commit_ + "+"));
  absl::StatusOr<proto::Firmware> dirty_again = Build(Request(repo_));
  ASSERT_TRUE(dirty_again.ok());
  EXPECT_TRUE(dirty_again->from_cache());
  ASSERT_TRUE(Git(repo_, {"checkout", "--", "README.md"}).ok());
  absl::StatusOr<proto::Firmware> clean_again = Build(Request(repo_));
  ASSERT_TRUE(clean_again.ok());
  EXPECT_TRUE(clean_again->from_cache());
  EXPECT_EQ(clean_again->source_revision(), main_commit_);
}

TEST_F(MicropythonMakeBuilderTest, FailingBuildNamesTheBoardAndTheLog) {
  absl::StatusOr<proto::Firmware> firmware = Build(Request(repo_, "FAIL_BOARD"));
  ASSERT_FALSE(firmware.ok());
  EXPECT_THAT(firmware.status().message(), HasSubstr("board FAIL_BOARD"));
  EXPECT_THAT(firmware.status().message(), HasSubstr("build.log"));
  EXPECT_THAT(firmware.status().message(), HasSubstr("does not compile"));
  // Nothing was cached: the next attempt runs make again and fails again.
  const int runs = MakeInvocations(repo_);
  EXPECT_FALSE(Build(Request(repo_, "FAIL_BOARD")).ok());
  EXPECT_GT(MakeInvocations(repo_), runs);
}

TEST_F(MicropythonMakeBuilderTest, UnixPortWithBuildPrefix) {
  proto::BuildRequest request = Request(repo_, "UNIX", "unix");
  request.mutable_board()->clear_variants();
  request.set_variant("coverage");
  request.mutable_board()->add_build_prefix("env");
  request.mutable_board()->add_build_prefix("EXTRA=prefixed-in-{tree}");
  absl::StatusOr<proto::Firmware> firmware = Build(request);
  ASSERT_TRUE(firmware.ok()) << firmware.status();
  EXPECT_EQ(firmware->kind(), "unix");
  EXPECT_EQ(fs::path(firmware->path()).filename(), "micropython");
  EXPECT_THAT(ReadFile(firmware->path()), HasSubstr("build=coverage date="));
  EXPECT_THAT(ReadFile(firmware->path()), HasSubstr("extra=prefixed-in-" + repo_));
  EXPECT_THAT(firmware->version(), StartsWith("coverage;3.4.0; MicroPython "));
}

TEST_F(MicropythonMakeBuilderTest, BadSourcesAreErrors) {
  EXPECT_THAT(Build(Request(repo_ + "/missing")).status().message(),
              HasSubstr("no such directory"));
  EXPECT_THAT(Build(Request("file://" + repo_ + "~x")).status().message(),
              HasSubstr("positive number"));
  EXPECT_THAT(Build(Request(repo_, "B", "zephyr")).status().message(), HasSubstr("zephyr"));
  const std::string empty = NewTempDir("empty");
  EXPECT_THAT(Build(Request(empty)).status().message(), HasSubstr("has no ports/rp2"));
}

}  // namespace
}  // namespace mptest::micropython_make
