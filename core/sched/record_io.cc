// The scheduler's JSON files (see record_io.h).
#include "core/sched/record_io.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace mptest::sched {

absl::Status WriteFileAtomically(const std::string& path, const std::string& content) {
  std::string temp = absl::StrCat(path, ".tmp-", getpid());
  {
    std::ofstream out(temp, std::ios::trunc);
    out << content;
    out.flush();
    if (!out) {
      unlink(temp.c_str());
      return absl::InternalError(absl::StrCat(path, ": cannot write: ", strerror(errno)));
    }
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    int error = errno;
    unlink(temp.c_str());
    return absl::InternalError(absl::StrCat(path, ": cannot rename into place: ", strerror(error)));
  }
  return absl::OkStatus();
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
  return WriteFileAtomically(path, json);
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

absl::Status MakeDirs(const std::string& path) {
  std::string partial;
  for (size_t pos = 0; pos != std::string::npos;) {
    size_t next = path.find('/', pos + 1);
    partial = path.substr(0, next);
    if (!partial.empty() && mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) {
      return absl::InternalError(
          absl::StrCat(partial, ": cannot create directory: ", strerror(errno)));
    }
    pos = next;
  }
  return absl::OkStatus();
}

}  // namespace mptest::sched
