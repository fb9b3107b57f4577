// JSON in and out of the results directory: proto messages in the anchor's field names
// (run-tests.py's _results.json is results_json.h's).
#ifndef MPTEST_CORE_REPORT_JSON_IO_H_
#define MPTEST_CORE_REPORT_JSON_IO_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/proto/results.pb.h"
#include "google/protobuf/message.h"

namespace mptest::report {

// Pretty JSON with the proto field names (snake_case, as the anchor's files) and every field
// printed, including empty strings ("error": "" means "no error").
std::string MessageToJson(const google::protobuf::Message& message);

// Parses `json` into `message`; unknown fields are ignored (newer writers), anything else that
// does not fit is an error naming `file_name`.
absl::Status JsonToMessage(absl::string_view json, absl::string_view file_name,
                           google::protobuf::Message* message);

}  // namespace mptest::report

#endif  // MPTEST_CORE_REPORT_JSON_IO_H_
