// _results.json reading and writing; see results_json.h.
#include "plugins/harnesses/results_json.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "core/report/atomic_file.h"
#include "google/protobuf/util/json_util.h"

namespace mptest::harnesses {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;

bool IsOutcome(absl::string_view outcome) {
  return outcome == "pass" || outcome == "fail" || outcome == "skip" || outcome == "ignored";
}

// The pre-"results" format: {"passed_tests": [...], "failed_tests": [...], ...}.
std::vector<proto::TestOutcome> ParseOutcomeLists(const Struct& root) {
  std::vector<proto::TestOutcome> outcomes;
  for (auto [key, outcome] : {std::pair<const char*, const char*>{"passed_tests", "pass"},
                              {"skipped_tests", "skip"},
                              {"failed_tests", "fail"},
                              {"ignored_tests", "ignored"}}) {
    auto it = root.fields().find(key);
    if (it == root.fields().end() || !it->second.has_list_value()) continue;
    for (const Value& name : it->second.list_value().values()) {
      proto::TestOutcome test;
      test.set_name(name.string_value());
      test.set_outcome(outcome);
      outcomes.push_back(test);
    }
  }
  return outcomes;
}

}  // namespace

absl::StatusOr<std::vector<proto::TestOutcome>> ParseResultsJson(absl::string_view json,
                                                                 absl::string_view path,
                                                                 bool allow_found) {
  Struct root;
  if (auto status = google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(json.data(), json.size()), &root);
      !status.ok()) {
    return absl::DataLossError(absl::StrCat(path, ": not a JSON object (", status.ToString(),
                                            "); expected run-tests.py's _results.json"));
  }
  auto results = root.fields().find("results");
  if (results == root.fields().end()) return ParseOutcomeLists(root);
  if (!results->second.has_list_value()) {
    return absl::DataLossError(absl::StrCat(path, ": \"results\" is not a list"));
  }
  std::vector<proto::TestOutcome> outcomes;
  int index = 0;
  for (const Value& entry : results->second.list_value().values()) {
    const auto bad = [&](absl::string_view why) {
      return absl::DataLossError(
          absl::StrCat(path, ": results[", index, "] ", why,
                       " (expected [test, \"pass\"|\"fail\"|\"skip\"|\"ignored\", reason])"));
    };
    if (!entry.has_list_value() || entry.list_value().values_size() < 2) {
      return bad("is not a list of at least two strings");
    }
    const ListValue& fields = entry.list_value();
    if (!fields.values(0).has_string_value() || !fields.values(1).has_string_value()) {
      return bad("has a test or outcome that is not a string");
    }
    proto::TestOutcome test;
    test.set_name(fields.values(0).string_value());
    test.set_outcome(fields.values(1).string_value());
    if (!IsOutcome(test.outcome()) && !(allow_found && test.outcome() == "found")) {
      return bad(absl::StrCat("has outcome '", test.outcome(), "'"));
    }
    if (fields.values_size() > 2 && fields.values(2).has_string_value()) {
      test.set_reason(fields.values(2).string_value());
    }
    outcomes.push_back(test);
    ++index;
  }
  return outcomes;
}

absl::StatusOr<std::vector<proto::TestOutcome>> ReadResultsJson(const std::string& path,
                                                                bool allow_found) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": no such file"));
  std::stringstream text;
  text << in.rdbuf();
  return ParseResultsJson(text.str(), path, allow_found);
}

absl::Status WriteResultsJson(const std::string& path,
                              const std::vector<proto::TestOutcome>& outcomes, const Struct& args) {
  Struct root;
  *(*root.mutable_fields())["args"].mutable_struct_value() = args;
  ListValue* results = (*root.mutable_fields())["results"].mutable_list_value();
  ListValue* failed = (*root.mutable_fields())["failed_tests"].mutable_list_value();
  ListValue* skipped = (*root.mutable_fields())["skipped_tests"].mutable_list_value();
  for (const proto::TestOutcome& test : outcomes) {
    ListValue* entry = results->add_values()->mutable_list_value();
    entry->add_values()->set_string_value(test.name());
    entry->add_values()->set_string_value(test.outcome());
    entry->add_values()->set_string_value(test.reason());
    if (test.outcome() == "fail") failed->add_values()->set_string_value(test.name());
    if (test.outcome() == "skip") skipped->add_values()->set_string_value(test.name());
  }
  std::string json;
  if (auto status = google::protobuf::util::MessageToJsonString(root, &json); !status.ok()) {
    return absl::InternalError(absl::StrCat("cannot encode ", path, ": ", status.ToString()));
  }
  if (absl::Status status = report::WriteFileAtomically(path, json + "\n"); !status.ok()) {
    return status;
  }
  return absl::OkStatus();
}

}  // namespace mptest::harnesses
