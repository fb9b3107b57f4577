// ProbeVersion: a board's firmware identity read over its console's raw REPL, in the one format
// both sides of the version check spell (firmware_identity.h). mptest asks this of every board
// whose driver has no version probe of its own (BoardDriver::ReadVersion left Unimplemented).
#ifndef MPTEST_CORE_REPL_VERSION_PROBE_H_
#define MPTEST_CORE_REPL_VERSION_PROBE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/proto/tentacle.pb.h"

namespace mptest::repl {

// Enters the raw REPL on `tentacle`'s console, reads the identity, and leaves the board at its
// friendly prompt; all within `timeout`. Unavailable when the tentacle has no console.
absl::StatusOr<std::string> ProbeVersion(const proto::Tentacle& tentacle,
                                         absl::Duration timeout = absl::Seconds(10));

}  // namespace mptest::repl

#endif  // MPTEST_CORE_REPL_VERSION_PROBE_H_
