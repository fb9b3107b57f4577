// The built-in lab's stand-in harness until the `native` harness plugin (raw-paste on the virtual
// board) is installed: runs each test file of the spec's --test-dirs with the host's python3,
// with MPTEST_BOARD / MPTEST_VARIANT / MPTEST_PORT / MPTEST_ROLE set from the tentacle, and
// compares the output with the .exp beside it (no .exp: a clean exit passes; "SKIP" skips), the
// way run-tests.py judges. Writes _results.json in run-tests.py's format and testresults.txt.
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
