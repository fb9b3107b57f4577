// What a test is expected to print, as run-tests.py decides it: <test>.<emit>.exp or
// <test>.exp beside the test or, when there is none, the output of CPython running the test on
// the host (`python3 -BS <test>` in the test's directory, stderr included;
// "CPYTHON3 CRASH:\n" + that output when it fails). ExpectedOutputs computes them on background
// threads (one per core, up to 4, taking the tests in order) while the board runs tests.
#ifndef MPTEST_PLUGINS_HARNESSES_EXPECTED_OUTPUT_H_
#define MPTEST_PLUGINS_HARNESSES_EXPECTED_OUTPUT_H_

#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace mptest::harnesses {

// The expectation for tests_dir/test. Errors only for what prevents computing it (the python
// program cannot be started); a test that crashes CPython expects "CPYTHON3 CRASH:\n...".
// `emit` chooses <test>.<emit>.exp before <test>.exp, as run-tests.py's --emit does.
absl::StatusOr<std::string> ExpectedOutput(const std::string& tests_dir, const std::string& test,
                                           const std::string& python, absl::Duration timeout,
                                           const std::string& emit = "bytecode");

class ExpectedOutputs {
 public:
  // Starts computing the expectations of `tests`, in order. With a cache_dir, CPython's outputs
  // are kept in <cache_dir>/expected/ and reused while the same CPython (its --version) meets
  // the same test file and the same files beside it (names, sizes, modification times): run
  // once, CPython's half of a run costs nothing the next time.
  ExpectedOutputs(std::string tests_dir, std::vector<std::string> tests, std::string python,
                  absl::Duration timeout, std::string emit = "bytecode",
                  std::string cache_dir = "");
  ~ExpectedOutputs();  // stops early and joins

  // Blocks until the expectation of tests[index] is known.
  absl::StatusOr<std::string> Get(size_t index);

 private:
  void Work();
  absl::StatusOr<std::string> Compute(const std::string& test);
  // The cache file for a test without a .exp, or "" when nothing is cached.
  std::string CachePath(const std::string& test);

  const std::string tests_dir_;
  const std::vector<std::string> tests_;
  const std::string python_;
  const absl::Duration timeout_;
  const std::string emit_;
  std::string cache_dir_;        // "" = no cache
  std::string python_identity_;  // `python --version`, part of every cache key
  absl::Mutex directories_mutex_;
  std::map<std::string, std::string> directory_states_ ABSL_GUARDED_BY(directories_mutex_);
  absl::Mutex mutex_;
  std::vector<std::optional<absl::StatusOr<std::string>>> results_ ABSL_GUARDED_BY(mutex_);
  size_t next_ ABSL_GUARDED_BY(mutex_) = 0;  // the next test a worker takes
  bool stop_ ABSL_GUARDED_BY(mutex_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace mptest::harnesses

#endif  // MPTEST_PLUGINS_HARNESSES_EXPECTED_OUTPUT_H_
