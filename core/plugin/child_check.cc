// Out-of-process plugin checks: see child_check.h.
#include "core/plugin/child_check.h"

#include <iostream>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/plugin/loader.h"
#include "core/process/subprocess.h"

namespace mptest::plugin {
namespace {

// The last `count` non-empty lines of `output`, for a crash report.
std::string Tail(absl::string_view output, size_t count) {
  std::vector<absl::string_view> lines = absl::StrSplit(output, '\n', absl::SkipWhitespace());
  if (lines.size() > count) lines.erase(lines.begin(), lines.end() - count);
  return absl::StrJoin(lines, " | ");
}

}  // namespace

absl::StatusOr<CheckVerdict> CheckInChild(const std::string& checker,
                                          const std::string& plugin_path, absl::Duration timeout) {
  process::CommandOptions options;
  options.argv = {checker, plugin_path};
  options.timeout = timeout;
  options.kill_grace = absl::Seconds(1);
  absl::StatusOr<process::CommandResult> result = process::RunCommand(options);
  if (!result.ok()) {
    return absl::Status(result.status().code(),
                        absl::StrCat("cannot run the plugin checker: ", result.status().message()));
  }
  CheckVerdict verdict;
  for (absl::string_view line : absl::StrSplit(result->output, '\n')) {
    if (result->exit_code == 0 && line == kCheckOkLine) {
      verdict.ok = true;
      return verdict;
    }
    if (result->exit_code == 1 && absl::StartsWith(line, kCheckRejectedPrefix)) {
      verdict.message = std::string(line.substr(kCheckRejectedPrefix.size()));
      return verdict;
    }
  }
  std::string what = result->timed_out     ? "hung while loading"
                     : result->term_signal ? "crashed while loading"
                                           : "the plugin checker failed";
  verdict.message = absl::StrCat(plugin_path, ": ", what, " (", result->Describe(), ")");
  if (std::string tail = Tail(result->output, 5); !tail.empty()) {
    absl::StrAppend(&verdict.message, "; its last output: ", tail);
  }
  return verdict;
}

int RunCheckerMain(const std::string& plugin_path) {
  absl::StatusOr<std::shared_ptr<const LoadedPlugin>> plugin = LoadPlugin(plugin_path);
  if (!plugin.ok()) {
    std::string message(plugin.status().message());
    for (char& c : message) {
      if (c == '\n') c = ' ';
    }
    std::cout << kCheckRejectedPrefix << message << std::endl;
    return 1;
  }
  std::cout << kCheckOkLine << std::endl;
  return 0;
}

}  // namespace mptest::plugin
