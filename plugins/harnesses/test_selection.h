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

// The test files (relative to tests_dir, sorted within each directory) a native run covers:
// the files among the expanded arguments, plus every *.py of each -d/--test-dirs directory;
// with neither, the directories run-tests.py runs on a bare-metal board by default that
// exist in tests_dir. Other options are refused, naming them.
absl::StatusOr<std::vector<std::string>> SelectTestFiles(const proto::TestRunSpec& spec,
                                                         const std::string& tests_dir);

}  // namespace mptest::harnesses

#endif  // MPTEST_PLUGINS_HARNESSES_TEST_SELECTION_H_
