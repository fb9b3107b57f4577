// Tests of the git spec parser: every form of the syntax, the rejections, the slug.
#include "core/gitspec/gitspec.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest {
namespace {

using ::testing::HasSubstr;

GitSpec Parsed(absl::string_view text) {
  absl::StatusOr<GitSpec> spec = ParseGitSpec(text);
  EXPECT_TRUE(spec.ok()) << spec.status();
  return spec.ok() ? *spec : GitSpec{};
}

TEST(ParseGitSpecTest, UrlAlone) {
  const GitSpec spec = Parsed("https://github.com/micropython/micropython.git");
  EXPECT_EQ(spec.url, "https://github.com/micropython/micropython.git");
  EXPECT_EQ(spec.pr, "");
  EXPECT_EQ(spec.ref, "");
  EXPECT_FALSE(spec.local_directory);
}

TEST(ParseGitSpecTest, UrlAtRef) {
  const GitSpec spec = Parsed("https://github.com/micropython/micropython.git@v1.25.0");
  EXPECT_EQ(spec.url, "https://github.com/micropython/micropython.git");
  EXPECT_EQ(spec.ref, "v1.25.0");
  EXPECT_EQ(spec.pr, "");
}

TEST(ParseGitSpecTest, UrlTildePr) {
  const GitSpec spec = Parsed("https://github.com/micropython/micropython.git~17468");
  EXPECT_EQ(spec.url, "https://github.com/micropython/micropython.git");
  EXPECT_EQ(spec.pr, "17468");
  EXPECT_EQ(spec.ref, "");
}

TEST(ParseGitSpecTest, UrlTildePrAtRef) {
  const GitSpec spec = Parsed("https://github.com/micropython/micropython.git~17468@v1.25.0");
  EXPECT_EQ(spec.url, "https://github.com/micropython/micropython.git");
  EXPECT_EQ(spec.pr, "17468");
  EXPECT_EQ(spec.ref, "v1.25.0");
}

TEST(ParseGitSpecTest, UserInfoInUrlIsNotARef) {
  const GitSpec spec = Parsed("https://user@example.com/mp.git@feature/x");
  EXPECT_EQ(spec.url, "https://user@example.com/mp.git");
  EXPECT_EQ(spec.ref, "feature/x");
}

TEST(ParseGitSpecTest, ScpLikeAddress) {
  const GitSpec spec = Parsed("git@github.com:micropython/micropython.git~12@master");
  EXPECT_EQ(spec.url, "git@github.com:micropython/micropython.git");
  EXPECT_EQ(spec.pr, "12");
  EXPECT_EQ(spec.ref, "master");
  EXPECT_FALSE(spec.local_directory);
}

TEST(ParseGitSpecTest, PlainPathIsALocalDirectory) {
  const GitSpec spec = Parsed("/home/me/micropython");
  EXPECT_EQ(spec.url, "/home/me/micropython");
  EXPECT_TRUE(spec.local_directory);
  EXPECT_TRUE(Parsed(".").local_directory);
  EXPECT_TRUE(Parsed("~/micropython").local_directory);
}

TEST(ParseGitSpecTest, PathWithRefOrPrIsCloned) {
  const GitSpec with_ref = Parsed("/tmp/repo@v1");
  EXPECT_EQ(with_ref.url, "/tmp/repo");
  EXPECT_EQ(with_ref.ref, "v1");
  EXPECT_FALSE(with_ref.local_directory);
  const GitSpec with_pr = Parsed("../repo~3");
  EXPECT_EQ(with_pr.url, "../repo");
  EXPECT_EQ(with_pr.pr, "3");
  EXPECT_FALSE(with_pr.local_directory);
}

TEST(ParseGitSpecTest, FileUrlIsCloned) {
  const GitSpec spec = Parsed("file:///tmp/repo");
  EXPECT_EQ(spec.url, "file:///tmp/repo");
  EXPECT_FALSE(spec.local_directory);
}

TEST(ParseGitSpecTest, TildeInsideThePathIsPartOfTheUrl) {
  const GitSpec spec = Parsed("https://host/~user/repo.git~5");
  EXPECT_EQ(spec.url, "https://host/~user/repo.git");
  EXPECT_EQ(spec.pr, "5");
}

TEST(ParseGitSpecTest, CommitHashRef) {
  EXPECT_EQ(Parsed("file:///r@0123456789abcdef0123456789abcdef01234567").ref,
            "0123456789abcdef0123456789abcdef01234567");
}

TEST(ParseGitSpecTest, Rejections) {
  struct Case {
    const char* spec;
    const char* why;
  };
  const Case cases[] = {
      {"", "empty"},
      {"-uhttps://x/y", "starts with '-'"},
      {"https://x/y~abc", "positive number"},
      {"https://x/y~0", "positive number"},
      {"https://x/y~", "positive number"},
      {"https://x/y@", "nothing follows '@'"},
      {"https://x/y@-rf", "starts with '-'"},
      {"https://x/y@a..b", "'..'"},
      {"https://x/y@a:b", "':'"},
      {"https://x/y@a/", "ends with '/'"},
      {"https://x/y@x.lock", ".lock"},
      {"https://x/y@@{1}", "'@{'"},
      {"https://x/ y", "space"},
      {"https://x/y\n", "control"},
      {"host:~12", "no path"},
      {"@main", "empty"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<GitSpec> spec = ParseGitSpec(c.spec);
    ASSERT_FALSE(spec.ok()) << "accepted: " << c.spec;
    EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(spec.status().message(), HasSubstr(c.why)) << c.spec;
    EXPECT_THAT(spec.status().message(), HasSubstr("git spec")) << c.spec;
  }
}

TEST(ParseGitSpecTest, FormatRoundTrips) {
  for (const char* text :
       {"https://github.com/micropython/micropython.git", "https://h/r.git@v1.25.0",
        "https://h/r.git~17468", "https://h/r.git~17468@v1.25.0", "/local/dir", "git@h:r~1@a/b"}) {
    const GitSpec spec = Parsed(text);
    EXPECT_EQ(FormatGitSpec(spec), text);
    EXPECT_EQ(Parsed(FormatGitSpec(spec)), spec);
  }
}

TEST(GitSpecSlugTest, ReadableAndDistinct) {
  const std::string a = GitSpecSlug(Parsed("https://github.com/micropython/micropython.git"));
  const std::string b = GitSpecSlug(Parsed("https://github.com/micropython/micropython.git~1"));
  EXPECT_THAT(a, ::testing::StartsWith("micropython-"));
  EXPECT_NE(a, b);
  EXPECT_EQ(a, GitSpecSlug(Parsed("https://github.com/micropython/micropython.git")));
  EXPECT_THAT(GitSpecSlug(Parsed("/x/we#ird")), ::testing::StartsWith("we_ird-"));
}

TEST(ValidateRefNameTest, AcceptsUsualRefs) {
  for (const char* ref : {"master", "v1.25.0", "feature/x-y_z", "0123abc", "a@b"}) {
    EXPECT_TRUE(ValidateRefName(ref).ok()) << ref;
  }
}

}  // namespace
}  // namespace mptest
