// MicroPython's mpremote test suite (tools/mpremote/tests/test_*.sh), run as
// run-mpremote-tests.sh does: each script with MPREMOTE="<python> <repo>/tools/mpremote/
// mpremote.py connect <tty>" and a fresh temporary directory (TMP and the script's first
// argument); its output, with that directory written as ${TMP}, must equal test_*.sh.exp;
// output starting with "SKIP" skips. A mismatch leaves <result_dir>/test_*.sh.out and a copy
// of the .exp. Used by the native harness for RUN-MPREMOTE_TESTS (spec arg --mpremote-tests).
#ifndef MPTEST_PLUGINS_HARNESSES_MPREMOTE_TESTS_H_
#define MPTEST_PLUGINS_HARNESSES_MPREMOTE_TESTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/proto/tentacle.pb.h"

namespace mptest::harnesses {

struct MpremoteTestsOptions {
  std::string repo_dir;  // the micropython checkout (tests_dir/..)
  std::string tty;       // the DUT's console; nothing else may have it open
  std::string result_dir;
  std::string python = "/usr/bin/python3";
  absl::Duration script_timeout = absl::Seconds(360);
};

// Runs every test script; outcomes are named "tools/mpremote/tests/test_x.sh". Errors only
// when the suite is missing or a script cannot be started.
absl::StatusOr<std::vector<proto::TestOutcome>> RunMpremoteTests(
    const MpremoteTestsOptions& options);

}  // namespace mptest::harnesses

#endif  // MPTEST_PLUGINS_HARNESSES_MPREMOTE_TESTS_H_
