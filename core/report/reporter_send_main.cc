// reporter_send: reports one section to the mptest reporter named by MPTEST_REPORTER_SOCKET,
// for harnesses written as scripts:
//   reporter_send --name=setup --result=passed --start_s=... --end_s=... --detail=k=v ...
// Exit status: 0 stored, 1 the reporter refused or failed (the reason on stderr), 2 usage.
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "core/report/reporter_client.h"

ABSL_FLAG(std::string, name, "", "section name (required)");
ABSL_FLAG(std::string, result, "", "section result: passed, failed, errored, skipped, ...");
ABSL_FLAG(double, start_s, 0, "start, seconds since the Unix epoch (default: now)");
ABSL_FLAG(double, end_s, 0, "end, seconds since the Unix epoch (default: now)");
ABSL_FLAG(std::vector<std::string>, detail, {}, "details as key=value, comma separated");
ABSL_FLAG(std::string, source, "", "who reports (a task name)");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  if (absl::GetFlag(FLAGS_name).empty()) {
    std::cerr << "reporter_send: --name is required\n";
    return 2;
  }
  const double now = absl::ToUnixMicros(absl::Now()) / 1e6;
  mptest::proto::ReportSection section;
  section.set_name(absl::GetFlag(FLAGS_name));
  section.set_result(absl::GetFlag(FLAGS_result));
  section.set_source(absl::GetFlag(FLAGS_source));
  section.set_start_s(absl::GetFlag(FLAGS_start_s) > 0 ? absl::GetFlag(FLAGS_start_s) : now);
  section.set_end_s(absl::GetFlag(FLAGS_end_s) > 0 ? absl::GetFlag(FLAGS_end_s) : now);
  for (const std::string& detail : absl::GetFlag(FLAGS_detail)) {
    std::vector<std::string> key_value = absl::StrSplit(detail, absl::MaxSplits('=', 1));
    if (key_value.size() != 2 || key_value[0].empty()) {
      std::cerr << "reporter_send: --detail \"" << detail << "\" is not key=value\n";
      return 2;
    }
    (*section.mutable_details())[key_value[0]] = key_value[1];
  }
  absl::Status status = mptest::report::ReportSection(section);
  if (!status.ok()) {
    std::cerr << "reporter_send: " << status << "\n";
    return 1;
  }
  return 0;
}
