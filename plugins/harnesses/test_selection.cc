// Test file selection; see test_selection.h.
#include "plugins/harnesses/test_selection.h"

#include <fnmatch.h>
#include <glob.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace mptest::harnesses {
namespace {

namespace fs = std::filesystem;

bool IsPattern(absl::string_view arg) {
  return !absl::StartsWith(arg, "-") && arg.find_first_of("*?[") != absl::string_view::npos;
}

absl::StatusOr<std::vector<std::string>> Glob(const std::string& pattern,
                                              const std::string& tests_dir) {
  glob_t matches{};
  const std::string full = (fs::path(tests_dir) / pattern).string();
  const int status = glob(full.c_str(), 0, nullptr, &matches);
  if (status != 0 && status != GLOB_NOMATCH) {
    globfree(&matches);
    return absl::InternalError(absl::StrCat("cannot expand '", pattern, "' in ", tests_dir));
  }
  std::vector<std::string> files;
  for (size_t i = 0; i < matches.gl_pathc; ++i) {
    files.push_back(fs::path(matches.gl_pathv[i]).lexically_relative(tests_dir).string());
  }
  globfree(&matches);
  std::sort(files.begin(), files.end());
  return files;
}

// run-tests.py's default test directories for a bare-metal target.
constexpr const char* kDefaultDirs[] = {"basics",  "micropython", "misc", "extmod", "float",
                                        "unicode", "stress",      "io",   "import"};

}  // namespace

absl::StatusOr<std::vector<std::string>> ExpandTestArgs(const proto::TestRunSpec& spec,
                                                        const std::string& tests_dir) {
  std::vector<std::string> out;
  for (const std::string& arg : spec.args()) {
    if (absl::StartsWith(arg, "!") || absl::StartsWith(arg, "--exclude=")) {
      const std::string pattern = arg.substr(arg[0] == '!' ? 1 : strlen("--exclude="));
      out.erase(std::remove_if(out.begin(), out.end(),
                               [&](const std::string& file) {
                                 return fnmatch(pattern.c_str(), file.c_str(), FNM_PATHNAME) == 0;
                               }),
                out.end());
      continue;
    }
    if (!IsPattern(arg)) {
      out.push_back(arg);
      continue;
    }
    absl::StatusOr<std::vector<std::string>> files = Glob(arg, tests_dir);
    if (!files.ok()) {
      return absl::Status(files.status().code(),
                          absl::StrCat("spec ", spec.label(), ": ", files.status().message()));
    }
    if (files->empty()) {
      return absl::NotFoundError(
          absl::StrCat("spec ", spec.label(), ": '", arg, "' matches no test file in ", tests_dir));
    }
    out.insert(out.end(), files->begin(), files->end());
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> SelectTestFiles(const proto::TestRunSpec& spec,
                                                         const std::string& tests_dir) {
  absl::StatusOr<std::vector<std::string>> args = ExpandTestArgs(spec, tests_dir);
  if (!args.ok()) return args.status();
  std::vector<std::string> files;
  std::vector<std::string> dirs;
  for (size_t i = 0; i < args->size(); ++i) {
    const std::string& arg = (*args)[i];
    if (arg == "-d" || arg == "--test-dirs") {
      if (i + 1 == args->size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("spec ", spec.label(), ": ", arg, " needs a directory"));
      }
      dirs.push_back((*args)[++i]);
    } else if (absl::StartsWith(arg, "--test-dirs=")) {
      dirs.push_back(arg.substr(strlen("--test-dirs=")));
    } else if (absl::StartsWith(arg, "-")) {
      return absl::InvalidArgumentError(
          absl::StrCat("spec ", spec.label(), ": the native harness does not support option '", arg,
                       "' (it takes test files, globs, !exclusions and -d/--test-dirs)"));
    } else {
      files.push_back(arg);
    }
  }
  if (files.empty() && dirs.empty()) {
    for (const char* dir : kDefaultDirs) {
      if (fs::is_directory(fs::path(tests_dir) / dir)) dirs.push_back(dir);
    }
  }
  for (const std::string& dir : dirs) {
    if (!fs::is_directory(fs::path(tests_dir) / dir)) {
      return absl::NotFoundError(
          absl::StrCat("spec ", spec.label(), ": no test directory ", dir, " in ", tests_dir));
    }
    absl::StatusOr<std::vector<std::string>> found = Glob(dir + "/*.py", tests_dir);
    if (!found.ok()) return found.status();
    files.insert(files.end(), found->begin(), found->end());
  }
  for (const std::string& file : files) {
    if (!fs::is_regular_file(fs::path(tests_dir) / file)) {
      return absl::NotFoundError(
          absl::StrCat("spec ", spec.label(), ": no test file ", file, " in ", tests_dir));
    }
  }
  return files;
}

}  // namespace mptest::harnesses
