// Which test files a spec names: glob patterns expanded in the tests directory, "!pattern"
// exclusions, run-tests.py's -d/--test-dirs. Shared by the runner harnesses (which pass the
// result on to the runner) and the native harness (which runs the files itself).
#ifndef MPTEST_PLUGINS_HARNESSES_TEST_SELECTION_H_
#define MPTEST_PLUGINS_HARNESSES_TEST_SELECTION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/proto/tentacle.pb.h"

namespace mptest::harnesses {

// The spec's arguments with every glob pattern (an argument not starting with '-' that has
// '*', '?' or '[') replaced by the sorted files it matches in tests_dir, relative to it, and
// every "!pattern" or "--exclude=pattern" removing the files matched so far (neither reaches
// the runner). A pattern matching nothing is an error.
absl::StatusOr<std::vector<std::string>> ExpandTestArgs(const proto::TestRunSpec& spec,
                                                        const std::string& tests_dir);

// A native run's arguments, read with run-tests.py's own grammar (its argparse): positional
// test files; -d/--test-dirs taking every following argument up to the next option (nargs="*";
// given twice it is refused, since run-tests.py would keep only the last); -e/--exclude and
// -i/--include regex filters (left to run-tests.py's planning); --via-mpy; --emit bytecode|native.
// Globs and !exclusions are expanded first (ExpandTestArgs). Other options are refused, naming
// them; a named directory or file that does not exist is NotFound.
struct RunTestsSelection {
  std::vector<std::string> files;    // test files named, relative to tests_dir
  std::vector<std::string> dirs;     // -d directories (ignored when files are named)
  std::vector<std::string> filters;  // "-e"/"-i" followed by the pattern, in order
  bool via_mpy = false;
  std::string emit = "bytecode";

  // The arguments that give run-tests.py exactly this selection.
  std::vector<std::string> RunnerArgs() const;
};
absl::StatusOr<RunTestsSelection> ParseRunTestsArgs(const proto::TestRunSpec& spec,
                                                    const std::string& tests_dir);

// The test files (relative to tests_dir) a native run covers when run-tests.py cannot plan it
// (no --dry-run): the files named, else every *.py of the -d directories, else of the
// directories run-tests.py runs on a bare-metal board by default that exist, sorted together
// as run-tests.py sorts them. Errors as ParseRunTestsArgs.
absl::StatusOr<std::vector<std::string>> SelectTestFiles(const proto::TestRunSpec& spec,
                                                         const std::string& tests_dir);

}  // namespace mptest::harnesses

#endif  // MPTEST_PLUGINS_HARNESSES_TEST_SELECTION_H_
