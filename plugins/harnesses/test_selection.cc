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

absl::StatusOr<RunTestsSelection> ParseRunTestsArgs(const proto::TestRunSpec& spec,
                                                    const std::string& tests_dir) {
  absl::StatusOr<std::vector<std::string>> args = ExpandTestArgs(spec, tests_dir);
  if (!args.ok()) return args.status();
  RunTestsSelection selection;
  bool dirs_given = false;
  auto error = [&](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("spec ", spec.label(), ": ", what));
  };
  for (size_t i = 0; i < args->size(); ++i) {
    const std::string& arg = (*args)[i];
    // An option's value: "--name=value", or the next argument.
    auto value = [&](absl::string_view name) -> absl::StatusOr<std::string> {
      if (absl::StartsWith(arg, absl::StrCat(name, "="))) return arg.substr(name.size() + 1);
      if (i + 1 == args->size()) return error(absl::StrCat(arg, " needs a value"));
      return (*args)[++i];
    };
    if (arg == "-d" || arg == "--test-dirs" || absl::StartsWith(arg, "--test-dirs=")) {
      if (dirs_given) {
        // argparse keeps only the last -d: run-tests.py would silently drop the others.
        return error(absl::StrCat(
            "-d/--test-dirs given twice; run-tests.py keeps only the last one. Name every "
            "directory after one -d, as in `-d basics extmod`"));
      }
      dirs_given = true;
      if (absl::StartsWith(arg, "--test-dirs=")) {
        selection.dirs.push_back(arg.substr(strlen("--test-dirs=")));
        continue;
      }
      // nargs="*": every following argument up to the next option is a directory.
      while (i + 1 < args->size() && !absl::StartsWith((*args)[i + 1], "-")) {
        selection.dirs.push_back((*args)[++i]);
      }
      if (selection.dirs.empty()) return error(absl::StrCat(arg, " needs a directory"));
    } else if (arg == "--via-mpy") {
      selection.via_mpy = true;
    } else if (arg == "--emit" || absl::StartsWith(arg, "--emit=")) {
      absl::StatusOr<std::string> emit = value("--emit");
      if (!emit.ok()) return emit.status();
      if (*emit != "bytecode" && *emit != "native") {
        return error(absl::StrCat("--emit ", *emit, ": expected bytecode or native"));
      }
      selection.emit = *emit;
    } else if (arg == "-e" || arg == "--exclude" || arg == "-i" || arg == "--include" ||
               absl::StartsWith(arg, "--include=")) {
      absl::StatusOr<std::string> pattern = value("--include");
      if (!pattern.ok()) return pattern.status();
      const bool exclude = arg == "-e" || arg == "--exclude";
      selection.filters.push_back(exclude ? "-e" : "-i");
      selection.filters.push_back(*pattern);
    } else if (absl::StartsWith(arg, "-")) {
      return error(
          absl::StrCat("the native harness does not support option '", arg,
                       "' (it takes run-tests.py's test files, globs, !exclusions, -d/--test-dirs, "
                       "-e/-i filters, --via-mpy and --emit)"));
    } else {
      selection.files.push_back(arg);
    }
  }
  for (const std::string& dir : selection.dirs) {
    if (!fs::is_directory(fs::path(tests_dir) / dir)) {
      return absl::NotFoundError(
          absl::StrCat("spec ", spec.label(), ": no test directory ", dir, " in ", tests_dir));
    }
  }
  for (const std::string& file : selection.files) {
    if (!fs::is_regular_file(fs::path(tests_dir) / file)) {
      return absl::NotFoundError(
          absl::StrCat("spec ", spec.label(), ": no test file ", file, " in ", tests_dir));
    }
  }
  return selection;
}

std::vector<std::string> RunTestsSelection::RunnerArgs() const {
  std::vector<std::string> args;
  if (via_mpy) args.push_back("--via-mpy");
  if (emit != "bytecode") args.insert(args.end(), {"--emit", emit});
  args.insert(args.end(), filters.begin(), filters.end());
  if (!files.empty()) {
    args.insert(args.end(), files.begin(), files.end());
  } else if (!dirs.empty()) {
    args.push_back("-d");
    args.insert(args.end(), dirs.begin(), dirs.end());
  }
  return args;
}

absl::StatusOr<std::vector<std::string>> SelectTestFiles(const proto::TestRunSpec& spec,
                                                         const std::string& tests_dir) {
  absl::StatusOr<RunTestsSelection> selection = ParseRunTestsArgs(spec, tests_dir);
  if (!selection.ok()) return selection.status();
  // run-tests.py: files given are run as given; else the directories' *.py, sorted together.
  if (!selection->files.empty()) return selection->files;
  std::vector<std::string> dirs = selection->dirs;
  if (dirs.empty()) {
    for (const char* dir : kDefaultDirs) {
      if (fs::is_directory(fs::path(tests_dir) / dir)) dirs.push_back(dir);
    }
  }
  std::vector<std::string> files;
  for (const std::string& dir : dirs) {
    absl::StatusOr<std::vector<std::string>> found = Glob(dir + "/*.py", tests_dir);
    if (!found.ok()) return found.status();
    files.insert(files.end(), found->begin(), found->end());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace mptest::harnesses
