// The built-in lab's stand-in harness until the `native` harness plugin (raw-paste on the virtual
// board) is installed: runs each test file of the spec's --test-dirs with the host's python3,
// with sys.implementation._machine ("<BOARD>[-<VARIANT>] with CPython") and _build (the
// variant) set as the virtual board sets them, and compares the output with the <test>.py.exp
// beside it (no .exp: a clean exit passes; "SKIP" skips), the way run-tests.py judges. Writes
// _results.json in run-tests.py's format and testresults.txt.
#ifndef MPTEST_TOOLS_CLI_HOST_HARNESS_H_
#define MPTEST_TOOLS_CLI_HOST_HARNESS_H_

#include "core/api/harness.h"

namespace mptest::cli {

class HostPythonHarness : public Harness {
 public:
  absl::StatusOr<proto::HarnessResult> Run(const proto::HarnessRequest& request) override;
};

}  // namespace mptest::cli

#endif  // MPTEST_TOOLS_CLI_HOST_HARNESS_H_
