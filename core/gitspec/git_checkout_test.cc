// Tests of CheckoutGitSpec against local repositories made here: every spec form, the reuse of
// an existing clone, and the failures (unknown ref, missing PR, a PR that does not rebase).
#include "core/gitspec/git_checkout.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "core/gitspec/test_repo.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest {
namespace {

using ::mptest::testing::CommitAll;
using ::mptest::testing::Git;
using ::mptest::testing::NewTempDir;
using ::mptest::testing::WriteFile;
using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string Trimmed(const absl::StatusOr<std::string>& text) {
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? std::string(absl::StripAsciiWhitespace(*text)) : "";
}

// A repository with: main (two commits, tag v1 on the first), and pull request 7 branched
// from the first commit (adds pr.txt), pull request 8 conflicting with main's second commit.
class GitCheckoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_ = NewTempDir("repo");
    cache_ = NewTempDir("cache");
    ASSERT_TRUE(testing::InitRepo(repo_).ok());
    ASSERT_TRUE(WriteFile(repo_, "a.txt", "one\n").ok());
    first_ = Commit("first");
    ASSERT_TRUE(Git(repo_, {"tag", "v1"}).ok());
    ASSERT_TRUE(Git(repo_, {"checkout", "-q", "-b", "pr7"}).ok());
    ASSERT_TRUE(WriteFile(repo_, "pr.txt", "from the PR\n").ok());
    pr7_ = Commit("pr 7");
    ASSERT_TRUE(Git(repo_, {"update-ref", "refs/pull/7/head", pr7_}).ok());
    ASSERT_TRUE(Git(repo_, {"checkout", "-q", "-b", "pr8", first_}).ok());
    ASSERT_TRUE(WriteFile(repo_, "a.txt", "conflicting\n").ok());
    ASSERT_TRUE(Git(repo_, {"update-ref", "refs/pull/8/head", Commit("pr 8")}).ok());
    ASSERT_TRUE(Git(repo_, {"checkout", "-q", "main"}).ok());
    ASSERT_TRUE(WriteFile(repo_, "a.txt", "two\n").ok());
    second_ = Commit("second");
  }

  std::string Commit(const std::string& message) {
    absl::StatusOr<std::string> commit = CommitAll(repo_, message);
    EXPECT_TRUE(commit.ok()) << commit.status();
    return commit.ok() ? *commit : "";
  }

  absl::StatusOr<Checkout> Run(const std::string& text) {
    absl::StatusOr<GitSpec> spec = ParseGitSpec(text);
    if (!spec.ok()) return spec.status();
    CheckoutOptions options;
    options.cache_dir = cache_;
    options.prefix = "firmware_";
    options.log_path = cache_ + "/git.log";
    return CheckoutGitSpec(*spec, options);
  }

  std::string repo_, cache_, first_, pr7_, second_;
};

TEST_F(GitCheckoutTest, UrlChecksOutTheDefaultBranch) {
  absl::StatusOr<Checkout> checkout = Run("file://" + repo_);
  ASSERT_TRUE(checkout.ok()) << checkout.status();
  EXPECT_EQ(checkout->commit, second_);
  EXPECT_EQ(ReadFile(checkout->path + "/a.txt"), "two\n");
  EXPECT_THAT(checkout->path, HasSubstr("/git/firmware_"));
  EXPECT_FALSE(checkout->rebased);
  EXPECT_FALSE(checkout->describe.empty());
}

TEST_F(GitCheckoutTest, UrlAtTagAndAtCommit) {
  absl::StatusOr<Checkout> tag = Run(repo_ + "@v1");
  ASSERT_TRUE(tag.ok()) << tag.status();
  EXPECT_EQ(tag->commit, first_);
  EXPECT_EQ(ReadFile(tag->path + "/a.txt"), "one\n");
  absl::StatusOr<Checkout> commit = Run("file://" + repo_ + "@" + first_);
  ASSERT_TRUE(commit.ok()) << commit.status();
  EXPECT_EQ(commit->commit, first_);
  absl::StatusOr<Checkout> branch = Run("file://" + repo_ + "@pr7");
  ASSERT_TRUE(branch.ok()) << branch.status();
  EXPECT_EQ(branch->commit, pr7_);
}

TEST_F(GitCheckoutTest, PullRequestHead) {
  absl::StatusOr<Checkout> checkout = Run("file://" + repo_ + "~7");
  ASSERT_TRUE(checkout.ok()) << checkout.status();
  EXPECT_EQ(checkout->commit, pr7_);
  EXPECT_EQ(ReadFile(checkout->path + "/pr.txt"), "from the PR\n");
  EXPECT_EQ(ReadFile(checkout->path + "/a.txt"), "one\n");
}

TEST_F(GitCheckoutTest, PullRequestRebasedOntoRef) {
  absl::StatusOr<Checkout> checkout = Run("file://" + repo_ + "~7@main");
  ASSERT_TRUE(checkout.ok()) << checkout.status();
  EXPECT_TRUE(checkout->rebased);
  EXPECT_NE(checkout->commit, pr7_);
  EXPECT_EQ(Trimmed(Git(checkout->path, {"rev-parse", "HEAD~1"})), second_);
  EXPECT_EQ(ReadFile(checkout->path + "/pr.txt"), "from the PR\n");
  EXPECT_EQ(ReadFile(checkout->path + "/a.txt"), "two\n");
}

TEST_F(GitCheckoutTest, ConflictingRebaseFailsAndNamesThePr) {
  absl::StatusOr<Checkout> checkout = Run("file://" + repo_ + "~8@main");
  ASSERT_FALSE(checkout.ok());
  EXPECT_THAT(checkout.status().message(), HasSubstr("pull request 8 does not rebase onto 'main'"));
  // The clone is usable afterwards: the aborted rebase left nothing behind.
  absl::StatusOr<Checkout> again = Run("file://" + repo_ + "~7@main");
  EXPECT_TRUE(again.ok()) << again.status();
}

TEST_F(GitCheckoutTest, MissingPrAndUnknownRef) {
  absl::StatusOr<Checkout> pr = Run("file://" + repo_ + "~99");
  ASSERT_FALSE(pr.ok());
  EXPECT_THAT(pr.status().message(), HasSubstr("cannot fetch pull request 99"));
  absl::StatusOr<Checkout> ref = Run("file://" + repo_ + "@nosuchbranch");
  ASSERT_FALSE(ref.ok());
  EXPECT_EQ(ref.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(ref.status().message(), HasSubstr("'nosuchbranch' is neither"));
}

TEST_F(GitCheckoutTest, UnreachableUrlIsAnError) {
  absl::StatusOr<Checkout> checkout = Run("file://" + repo_ + "-missing");
  ASSERT_FALSE(checkout.ok());
  EXPECT_THAT(checkout.status().message(), HasSubstr("cannot clone"));
}

TEST_F(GitCheckoutTest, SecondCheckoutFetchesNewCommits) {
  absl::StatusOr<Checkout> before = Run("file://" + repo_);
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_TRUE(WriteFile(before->path, "stray.txt", "left over\n").ok());
  ASSERT_TRUE(WriteFile(repo_, "a.txt", "three\n").ok());
  const std::string third = Commit("third");
  absl::StatusOr<Checkout> after = Run("file://" + repo_);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->path, before->path);
  EXPECT_EQ(after->commit, third);
  EXPECT_FALSE(std::filesystem::exists(after->path + "/stray.txt"));
}

TEST_F(GitCheckoutTest, LocalDirectoryIsUsedInPlace) {
  absl::StatusOr<Checkout> checkout = Run(repo_);
  ASSERT_TRUE(checkout.ok()) << checkout.status();
  EXPECT_EQ(checkout->path, repo_);
  EXPECT_EQ(checkout->commit, second_);
  absl::StatusOr<Checkout> missing = Run(repo_ + "/nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("no such directory"));
}

TEST_F(GitCheckoutTest, WorkTreeStateSeesEveryChange) {
  absl::StatusOr<WorkTreeState> clean = GetWorkTreeState(repo_);
  ASSERT_TRUE(clean.ok()) << clean.status();
  EXPECT_EQ(clean->commit, second_);
  EXPECT_EQ(clean->diff_hash, "clean");
  ASSERT_TRUE(WriteFile(repo_, "a.txt", "edited\n").ok());
  absl::StatusOr<WorkTreeState> edited = GetWorkTreeState(repo_);
  ASSERT_TRUE(edited.ok());
  EXPECT_NE(edited->diff_hash, "clean");
  ASSERT_TRUE(WriteFile(repo_, "new.txt", "untracked\n").ok());
  absl::StatusOr<WorkTreeState> untracked = GetWorkTreeState(repo_);
  ASSERT_TRUE(untracked.ok());
  EXPECT_NE(untracked->diff_hash, edited->diff_hash);
  ASSERT_TRUE(WriteFile(repo_, "new.txt", "changed content\n").ok());
  absl::StatusOr<WorkTreeState> changed = GetWorkTreeState(repo_);
  ASSERT_TRUE(changed.ok());
  EXPECT_NE(changed->diff_hash, untracked->diff_hash);
  // A subdirectory is not a work tree of its own.
  ASSERT_TRUE(WriteFile(repo_, "sub/file.txt", "x\n").ok());
  EXPECT_EQ(GetWorkTreeState(repo_ + "/sub").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace mptest
