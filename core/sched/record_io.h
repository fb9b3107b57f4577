// Reading and writing the scheduler's JSON files (context_testgroup.json) crash-safely, and the
// anchor's time format.
#ifndef MPTEST_CORE_SCHED_RECORD_IO_H_
#define MPTEST_CORE_SCHED_RECORD_IO_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"

namespace mptest::sched {

// Writes the message as JSON (report::MessageToJson: proto field names, every field) to path
// with report::WriteFileAtomically, so that a reader never sees half a file.
absl::Status WriteJsonAtomically(const std::string& path, const google::protobuf::Message& message);

// Reads a JSON file into message (report::JsonToMessage: unknown fields are ignored). Errors
// name the file.
absl::Status ReadJson(const std::string& path, google::protobuf::Message* message);

// True when `message` is the host's failure, not a board's: the disk or a quota is full, a file
// outgrew its size limit, or the process or system ran out of descriptors. Such an error is
// not retried and not counted against a tentacle: it ends the campaign (exit 3).
bool IsHostResourceError(absl::string_view message);

// "%Y-%m-%d_%H-%M-%S%z" in UTC, the anchor's format as the reports write it
// (report::FormatAnchorTime).
std::string AnchorTime(absl::Time time);

// mkdir -p (core/report's MakeDirectories).
absl::Status MakeDirs(const std::string& path);

}  // namespace mptest::sched

#endif  // MPTEST_CORE_SCHED_RECORD_IO_H_
