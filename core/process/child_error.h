// ChildProcessError: everything the parent knows about one failed pcall call, and its
// round-trip through absl::Status (pcall returns a Status whose payload carries it).
#ifndef MPTEST_CORE_PROCESS_CHILD_ERROR_H_
#define MPTEST_CORE_PROCESS_CHILD_ERROR_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "core/proto/channel.pb.h"

namespace mptest::process {

// The payload type URL under which a Status carries a proto::ChildError.
inline constexpr char kChildErrorPayloadUrl[] = "type.mptest/mptest.proto.ChildError";

struct ChildProcessError {
  proto::ChildError error;

  // One line: "call 2 of 'divide' (pid 123) threw std::runtime_error: boom",
  // "... was killed by SIGSEGV (core dumped)", "... exited 3 without returning a result",
  // "... timed out after 5s and was terminated"; then " during <activity>" when the child
  // ended inside one ("during plugin 'execpty' (libexecpty.so) Flash on q001-MPS2_AN385").
  std::string Summary() const;
  // Summary, then the backtrace and the log file, if known.
  std::string Describe() const;
  // A Status with a code for the kind (ABORTED for exception/signal/exit, DEADLINE_EXCEEDED,
  // DATA_LOSS, CANCELLED, UNAVAILABLE), Describe() as message and the proto as payload.
  absl::Status ToStatus() const;

 private:
  std::string SummaryWithoutActivity() const;
};

// The ChildProcessError carried by `status`, if it carries one.
std::optional<ChildProcessError> GetChildProcessError(const absl::Status& status);

}  // namespace mptest::process

#endif  // MPTEST_CORE_PROCESS_CHILD_ERROR_H_
