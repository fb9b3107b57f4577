// Test helper: runs a function in a forked child (for file size limits, other uids, fork
// behaviour) and collects its status and what it returned, with a deadline.
#ifndef MPTEST_CORE_REPORT_TEST_CHILD_H_
#define MPTEST_CORE_REPORT_TEST_CHILD_H_

#include <sys/types.h>

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace mptest::report::testing {

struct ChildResult {
  bool exited = false;  // false: killed by a signal or by the deadline
  absl::StatusCode code = absl::StatusCode::kUnknown;
  std::string message;  // the status's message
};

// Forks; the child runs `body` and exits, sending its status back through a pipe. The child
// is killed if it is still running after `deadline`.
ChildResult RunInChild(const std::function<absl::Status()>& body,
                       absl::Duration deadline = absl::Seconds(30));

// The same, after limiting the child's file size to `bytes` (RLIMIT_FSIZE) and ignoring
// SIGXFSZ so that writes fail with EFBIG: a full disk.
ChildResult RunWithFileSizeLimit(size_t bytes, const std::function<absl::Status()>& body);

}  // namespace mptest::report::testing

#endif  // MPTEST_CORE_REPORT_TEST_CHILD_H_
