// Test helpers for local git repositories; see test_repo.h.
#include "core/gitspec/test_repo.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/gitspec/git_checkout.h"

namespace mptest::testing {

namespace fs = std::filesystem;

absl::StatusOr<std::string> Git(const std::string& dir, const std::vector<std::string>& args) {
  std::vector<std::string> full = {"-c", "user.name=Test",       "-c", "user.email=test@localhost",
                                   "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"};
  full.insert(full.end(), args.begin(), args.end());
  return RunGit(dir, full);
}

absl::Status InitRepo(const std::string& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) return absl::InternalError(absl::StrCat("mkdir ", dir, ": ", error.message()));
  return Git(dir, {"init", "--quiet", "-b", "main"}).status();
}

absl::Status WriteFile(const std::string& dir, const std::string& relative_path,
                       const std::string& content) {
  const fs::path path = fs::path(dir) / relative_path;
  std::error_code error;
  fs::create_directories(path.parent_path(), error);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path.string()));
  return absl::OkStatus();
}

absl::StatusOr<std::string> CommitAll(const std::string& dir, const std::string& message) {
  absl::StatusOr<std::string> out = Git(dir, {"add", "-A"});
  if (out.ok()) out = Git(dir, {"commit", "--quiet", "-m", message});
  if (out.ok()) out = Git(dir, {"rev-parse", "HEAD"});
  if (!out.ok()) return out.status();
  return std::string(absl::StripAsciiWhitespace(*out));
}

std::string NewTempDir(const std::string& name) {
  static std::atomic<int> counter{0};
  const char* tmp = std::getenv("TEST_TMPDIR");
  const fs::path dir = fs::path(tmp != nullptr ? tmp : "/tmp") /
                       absl::StrCat(name, "-", getpid(), "-", counter.fetch_add(1));
  fs::create_directories(dir);
  return dir.string();
}

}  // namespace mptest::testing
