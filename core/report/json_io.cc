// JSON in and out of the results directory, via protobuf's JSON support.
#include "core/report/json_io.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace mptest::report {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Value;

absl::StatusOr<std::string> MapRunTestsVerdict(absl::string_view verdict) {
  if (verdict == "pass") return std::string("passed");
  if (verdict == "fail") return std::string("failed");
  if (verdict == "skip" || verdict == "ignored") return std::string("skipped");
  return absl::InvalidArgumentError(
      absl::StrCat("unknown verdict \"", verdict, "\" (expected pass, fail, skip or ignored)"));
}

absl::Status ParseResultsList(const ListValue& results, absl::string_view file_name,
                              std::vector<proto::Outcome>* outcomes) {
  for (int i = 0; i < results.values_size(); ++i) {
    const Value& entry = results.values(i);
    auto where = [&] { return absl::StrCat(file_name, ": \"results\"[", i, "]"); };
    if (!entry.has_list_value() || entry.list_value().values_size() < 2) {
      return absl::InvalidArgumentError(
          absl::StrCat(where(), ": expected [test name, verdict, reason]"));
    }
    const ListValue& fields = entry.list_value();
    if (!fields.values(0).has_string_value() || !fields.values(1).has_string_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where(), ": test name and verdict must be strings"));
    }
    absl::StatusOr<std::string> outcome = MapRunTestsVerdict(fields.values(1).string_value());
    if (!outcome.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(where(), ": ", outcome.status().message()));
    }
    proto::Outcome& result = outcomes->emplace_back();
    result.set_name(fields.values(0).string_value());
    result.set_outcome(*outcome);
    if (fields.values_size() > 2 && fields.values(2).has_string_value()) {
      result.set_text(fields.values(2).string_value());
    }
  }
  return absl::OkStatus();
}

absl::Status ParseOutcomeLists(const google::protobuf::Struct& root, absl::string_view file_name,
                               std::vector<proto::Outcome>* outcomes) {
  static constexpr struct {
    const char* key;
    const char* outcome;
  } kLists[] = {{"passed_tests", "passed"},
                {"failed_tests", "failed"},
                {"skipped_tests", "skipped"},
                {"ignored_tests", "skipped"}};
  for (const auto& list : kLists) {
    auto it = root.fields().find(list.key);
    if (it == root.fields().end()) continue;
    if (!it->second.has_list_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(file_name, ": \"", list.key, "\" must be a list of test names"));
    }
    for (const Value& name : it->second.list_value().values()) {
      if (!name.has_string_value()) {
        return absl::InvalidArgumentError(
            absl::StrCat(file_name, ": \"", list.key, "\" holds a value that is not a string"));
      }
      proto::Outcome& result = outcomes->emplace_back();
      result.set_name(name.string_value());
      result.set_outcome(list.outcome);
    }
  }
  return absl::OkStatus();
}

}  // namespace

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

absl::StatusOr<std::vector<proto::Outcome>> ParseMpResultsJson(absl::string_view json,
                                                               absl::string_view file_name) {
  Value root;
  absl::Status parsed = JsonToMessage(json, file_name, &root);
  if (!parsed.ok()) return parsed;
  if (!root.has_struct_value()) {
    return absl::InvalidArgumentError(absl::StrCat(file_name, ": expected a JSON object"));
  }
  std::vector<proto::Outcome> outcomes;
  const google::protobuf::Struct& object = root.struct_value();
  auto results = object.fields().find("results");
  absl::Status status;
  if (results != object.fields().end()) {
    if (!results->second.has_list_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(file_name, ": \"results\" must be a list of [name, verdict, reason]"));
    }
    status = ParseResultsList(results->second.list_value(), file_name, &outcomes);
  } else {
    status = ParseOutcomeLists(object, file_name, &outcomes);
  }
  if (!status.ok()) return status;
  return outcomes;
}

}  // namespace mptest::report
