// The scheduler's JSON files (see record_io.h).
#include "core/sched/record_io.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/report/atomic_file.h"
#include "core/report/json_io.h"
#include "core/report/results_model.h"

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
  return report::WriteFileAtomically(path, report::MessageToJson(message));
}

absl::Status ReadJson(const std::string& path, google::protobuf::Message* message) {
  absl::StatusOr<std::string> json = report::ReadFile(path);
  if (!json.ok()) return json.status();
  return report::JsonToMessage(*json, path, message);
}

std::string AnchorTime(absl::Time time) {
  return report::FormatAnchorTime(absl::ToDoubleSeconds(time - absl::UnixEpoch()));
}

absl::Status MakeDirs(const std::string& path) { return report::MakeDirectories(path); }

}  // namespace mptest::sched
