// JSON in and out of the results directory, via protobuf's JSON support.
#include "core/report/json_io.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace mptest::report {

std::string MessageToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string json;
  // Printing a valid message cannot fail.
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

absl::Status JsonToMessage(absl::string_view json, absl::string_view file_name,
                           google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), message, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(file_name, ": not a valid ",
                                                   message->GetDescriptor()->name(), ": ",
                                                   status.message().ToString()));
  }
  return absl::OkStatus();
}

}  // namespace mptest::report
