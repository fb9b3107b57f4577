// Test helpers: make small local git repositories (with branches, tags and pull-request refs)
// in a test's temporary directory.
#ifndef MPTEST_CORE_GITSPEC_TEST_REPO_H_
#define MPTEST_CORE_GITSPEC_TEST_REPO_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace mptest::testing {

// Runs git in `dir` with a fixed identity and dates; returns its output.
absl::StatusOr<std::string> Git(const std::string& dir, const std::vector<std::string>& args);

// Creates `dir` (and parents) and a repository in it whose default branch is main.
absl::Status InitRepo(const std::string& dir);

// Writes `content` to dir/relative_path, creating directories.
absl::Status WriteFile(const std::string& dir, const std::string& relative_path,
                       const std::string& content);

// Stages everything and commits; returns the new commit id.
absl::StatusOr<std::string> CommitAll(const std::string& dir, const std::string& message);

// A fresh directory under $TEST_TMPDIR named after `name` (unique per call).
std::string NewTempDir(const std::string& name);

}  // namespace mptest::testing

#endif  // MPTEST_CORE_GITSPEC_TEST_REPO_H_
