// The scheduler's JSON files (see record_io.h).
#include "core/sched/record_io.h"

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/report/atomic_file.h"
#include "google/protobuf/util/json_util.h"

namespace mptest::sched {

bool IsHostResourceError(absl::string_view message) {
  for (const char* cause : {"No space left on device", "Disk quota exceeded", "File too large",
                            "Too many open files", "the disk or the file size limit is full"}) {
    if (absl::StrContains(message, cause)) return true;
  }
  return false;
}

absl::Status WriteJsonAtomically(const std::string& path,
                                 const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string json;
  if (auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
      !status.ok()) {
    return absl::InternalError(absl::StrCat(path, ": ", status.ToString()));
  }
  return report::WriteFileAtomically(path, json);
}

absl::Status ReadJson(const std::string& path, google::protobuf::Message* message) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open the file"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (auto status = google::protobuf::util::JsonStringToMessage(buffer.str(), message, options);
      !status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", status.ToString()));
  }
  return absl::OkStatus();
}

std::string AnchorTime(absl::Time time) {
  return absl::FormatTime("%Y-%m-%d_%H-%M-%S%z", time, absl::LocalTimeZone());
}

absl::Status MakeDirs(const std::string& path) { return report::MakeDirectories(path); }

}  // namespace mptest::sched
