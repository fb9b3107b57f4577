// _results.json reading and writing; see results_json.h.
#include "core/report/results_json.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/report/atomic_file.h"
#include "google/protobuf/util/json_util.h"

namespace mptest::report {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;

bool IsOutcome(absl::string_view outcome, bool allow_found) {
  return outcome == "pass" || outcome == "fail" || outcome == "skip" || outcome == "ignored" ||
         (allow_found && outcome == "found");
}

absl::Status ParseResultsList(const ListValue& results, absl::string_view path, bool allow_found,
                              std::vector<proto::TestOutcome>* outcomes) {
  for (int i = 0; i < results.values_size(); ++i) {
    const Value& entry = results.values(i);
    const auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": \"results\"[", i, "] ", why,
                       " (expected [test, \"pass\"|\"fail\"|\"skip\"|\"ignored\", reason])"));
    };
    if (!entry.has_list_value() || entry.list_value().values_size() < 2) {
      return bad("is not a list of at least two strings");
    }
    const ListValue& fields = entry.list_value();
    if (!fields.values(0).has_string_value() || !fields.values(1).has_string_value()) {
      return bad("has a test or outcome that is not a string");
    }
    if (!IsOutcome(fields.values(1).string_value(), allow_found)) {
      return bad(absl::StrCat("has outcome '", fields.values(1).string_value(), "'"));
    }
    proto::TestOutcome& test = outcomes->emplace_back();
    test.set_name(fields.values(0).string_value());
    test.set_outcome(fields.values(1).string_value());
    if (fields.values_size() > 2 && fields.values(2).has_string_value()) {
      test.set_reason(fields.values(2).string_value());
    }
  }
  return absl::OkStatus();
}

// The pre-"results" format: {"passed_tests": [...], "failed_tests": [...], ...}.
absl::Status ParseOutcomeLists(const Struct& root, absl::string_view path,
                               std::vector<proto::TestOutcome>* outcomes) {
  for (auto [key, outcome] : {std::pair<const char*, const char*>{"passed_tests", "pass"},
                              {"skipped_tests", "skip"},
                              {"failed_tests", "fail"},
                              {"ignored_tests", "ignored"}}) {
    auto it = root.fields().find(key);
    if (it == root.fields().end()) continue;
    if (!it->second.has_list_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": \"", key, "\" must be a list of test names"));
    }
    for (const Value& name : it->second.list_value().values()) {
      if (!name.has_string_value()) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": \"", key, "\" holds a value that is not a string"));
      }
      proto::TestOutcome& test = outcomes->emplace_back();
      test.set_name(name.string_value());
      test.set_outcome(outcome);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<proto::TestOutcome>> ParseResultsJson(absl::string_view json,
                                                                 absl::string_view path,
                                                                 bool allow_found) {
  Value root;
  if (auto status = google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(json.data(), json.size()), &root);
      !status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not valid JSON (",
                                                   status.message().ToString(),
                                                   "); expected run-tests.py's _results.json"));
  }
  if (!root.has_struct_value()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": expected a JSON object"));
  }
  const Struct& object = root.struct_value();
  std::vector<proto::TestOutcome> outcomes;
  auto results = object.fields().find("results");
  absl::Status status;
  if (results == object.fields().end()) {
    status = ParseOutcomeLists(object, path, &outcomes);
  } else if (!results->second.has_list_value()) {
    status = absl::InvalidArgumentError(
        absl::StrCat(path, ": \"results\" must be a list of [test, outcome, reason]"));
  } else {
    status = ParseResultsList(results->second.list_value(), path, allow_found, &outcomes);
  }
  if (!status.ok()) return status;
  return outcomes;
}

absl::StatusOr<std::vector<proto::TestOutcome>> ReadResultsJson(const std::string& path,
                                                                bool allow_found) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseResultsJson(*text, path, allow_found);
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
  return WriteFileAtomically(path, json + "\n");
}

proto::Outcome ToCoreOutcome(const proto::TestOutcome& outcome) {
  proto::Outcome core;
  core.set_name(outcome.name());
  const std::string& word = outcome.outcome();
  core.set_text(outcome.reason());
  proto::Outcome::Verdict verdict;
  if (word == "pass") {
    core.set_outcome(proto::Outcome::passed);
  } else if (word == "fail") {
    core.set_outcome(proto::Outcome::failed);
  } else if (word == "skip" || word == "ignored") {
    core.set_outcome(proto::Outcome::skipped);
  } else if (proto::Outcome::Verdict_Parse(word, &verdict) &&
             verdict != proto::Outcome::verdict_unspecified) {
    core.set_outcome(verdict);  // the core's own word (xfailed, errored, ...)
  } else {
    core.set_outcome(proto::Outcome::errored);
    core.set_text(absl::StrCat("the harness gave the outcome '", word, "'",
                               outcome.reason().empty() ? "" : ": ", outcome.reason()));
  }
  core.set_duration_s(outcome.duration_s());
  return core;
}

}  // namespace mptest::report
