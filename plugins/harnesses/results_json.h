// run-tests.py's _results.json: reading it (the current format, "results": [[test, outcome,
// reason], ...], and the older one with "<outcome>_tests" lists) and writing it (for harnesses
// that run tests themselves, so that every harness leaves the same file).
#ifndef MPTEST_PLUGINS_HARNESSES_RESULTS_JSON_H_
#define MPTEST_PLUGINS_HARNESSES_RESULTS_JSON_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/proto/tentacle.pb.h"
#include "google/protobuf/struct.pb.h"

namespace mptest::harnesses {

// Parses the text of a _results.json; `path` names the file in errors. Outcomes are pass,
// fail, skip or ignored (and "found", in the file of a --dry-run, when allow_found); anything
// else is an error naming the entry.
absl::StatusOr<std::vector<proto::TestOutcome>> ParseResultsJson(absl::string_view json,
                                                                 absl::string_view path,
                                                                 bool allow_found = false);

// Reads and parses a _results.json. NotFound when the file does not exist.
absl::StatusOr<std::vector<proto::TestOutcome>> ReadResultsJson(const std::string& path,
                                                                bool allow_found = false);

// Writes {"args": args, "results": [[name, outcome, reason], ...], "failed_tests": [...],
// "skipped_tests": [...]} to path (via a temporary file and a rename).
absl::Status WriteResultsJson(const std::string& path,
                              const std::vector<proto::TestOutcome>& outcomes,
                              const google::protobuf::Struct& args);

}  // namespace mptest::harnesses

#endif  // MPTEST_PLUGINS_HARNESSES_RESULTS_JSON_H_
