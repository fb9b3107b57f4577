// run-tests.py's _results.json, read and written in one place: by the harnesses (run-tests.py
// writes it, the native harness and plugin authors' harnesses write it themselves with
// WriteResultsJson) and by the core, which keeps the verdicts found there when a run ends
// without its harness's answer. The file holds run-tests.py's outcome words (pass, fail, skip,
// ignored); ToCoreOutcome gives results.json's (passed, failed, skipped). Part of the plugin SDK.
#ifndef MPTEST_CORE_REPORT_RESULTS_JSON_H_
#define MPTEST_CORE_REPORT_RESULTS_JSON_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/proto/results.pb.h"
#include "core/proto/tentacle.pb.h"
#include "google/protobuf/struct.pb.h"

namespace mptest::report {

// Parses the text of a _results.json: {"results": [[test, outcome, reason], ...]} or the older
// {"passed_tests": [...], "failed_tests": [...], "skipped_tests": [...], "ignored_tests": [...]}.
// Outcomes are pass, fail, skip or ignored (and "found", in the file of a --dry-run, when
// allow_found). Anything else is an InvalidArgument error naming `path` and the entry.
absl::StatusOr<std::vector<proto::TestOutcome>> ParseResultsJson(absl::string_view json,
                                                                 absl::string_view path,
                                                                 bool allow_found = false);

// Reads and parses a _results.json. NotFound when the file does not exist.
absl::StatusOr<std::vector<proto::TestOutcome>> ReadResultsJson(const std::string& path,
                                                                bool allow_found = false);

// Writes {"args": args, "results": [[name, outcome, reason], ...], "failed_tests": [...],
// "skipped_tests": [...]} to path, atomically (a reader never sees half a file), so that a run
// killed later leaves the verdicts written so far.
absl::Status WriteResultsJson(const std::string& path,
                              const std::vector<proto::TestOutcome>& outcomes,
                              const google::protobuf::Struct& args = {});

// A harness's verdict in results.json's words: pass -> passed, fail -> failed, skip and ignored
// -> skipped (a word already in those words is kept); the reason becomes the text.
proto::Outcome ToCoreOutcome(const proto::TestOutcome& outcome);

}  // namespace mptest::report

#endif  // MPTEST_CORE_REPORT_RESULTS_JSON_H_
