// Running one test on MicroPython's unix port the way run-tests.py runs it on a PC (its
// "unix" target, read from tests/run-tests.py v1.29 run_micropython): the test in a process of
// its own, `<micropython> -X emit=<emit> <absolute test path>` with the test's directory as the
// working directory (tests open data files relative to it) and MICROPYPATH set to ".frozen",
// ../extmod and micropython-lib's unittest, so sys.atexit handlers and everything printed
// until the process exits count; stdout and stderr merged; a non-zero exit appends "CRASH", a
// timeout "TIMEOUT". With --via-mpy the test is first compiled with mpy-cross into a temporary
// .mpy in its directory and run with `-m <module>`.
#ifndef MPTEST_PLUGINS_HARNESSES_UNIX_PORT_RUNNER_H_
#define MPTEST_PLUGINS_HARNESSES_UNIX_PORT_RUNNER_H_

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "plugins/harnesses/run_tests_rules.h"

namespace mptest::harnesses {

struct UnixPortTarget {
  std::string micropython;  // the unix port binary
  std::string tests_dir;    // micropython's tests/
  std::string emit = "bytecode";
  bool via_mpy = false;
  std::string mpy_cross;                     // for via_mpy: the build's mpy-cross
  std::vector<std::string> mpy_cross_flags;  // e.g. -march=x64, as run-tests.py passes them
  absl::Duration test_timeout = absl::Seconds(30);
};

// The environment run-tests.py gives the unix port (MICROPYPATH), for tests_dir.
std::map<std::string, std::string> UnixPortEnvironment(const std::string& tests_dir);

// Runs `test` (relative to tests_dir) and returns what run-tests.py compares with the
// expectation. Thread-safe: tests may run in parallel.
RemoteOutput RunTestOnUnixPort(const UnixPortTarget& target, const std::string& test);

}  // namespace mptest::harnesses

#endif  // MPTEST_PLUGINS_HARNESSES_UNIX_PORT_RUNNER_H_
