// Checking a plugin in a child process before it is loaded into mptest, as GStreamer's plugin
// scanner does: the checker program (mptest_plugin_check, plugin_check_main.cc) loads the
// plugin with LoadPlugin and reports the result, so a plugin that crashes or hangs while
// loading costs a child process, not the run. Uses the core's RunCommand.
#ifndef MPTEST_CORE_PLUGIN_CHILD_CHECK_H_
#define MPTEST_CORE_PLUGIN_CHILD_CHECK_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mptest::plugin {

// The outcome of checking one plugin file.
struct CheckVerdict {
  bool ok = false;
  std::string message;  // why it was rejected (names the file); empty when ok
};

// Runs `checker plugin_path` with `timeout`. Returns the verdict: ok, the loader's error, or
// "crashed while loading (killed by SIGSEGV)" / "hung while loading (timed out after 10s)" with
// the child's last output lines. An error only if the checker itself cannot be run.
absl::StatusOr<CheckVerdict> CheckInChild(const std::string& checker,
                                          const std::string& plugin_path, absl::Duration timeout);

// The checker's side: loads `plugin_path` in this process, prints one line for CheckInChild to
// stdout and returns the exit code (0 ok, 1 rejected). Used by plugin_check_main.cc.
int RunCheckerMain(const std::string& plugin_path);

// The first line the checker prints when the plugin is fine.
inline constexpr absl::string_view kCheckOkLine = "mptest-plugin-check: ok";
// The prefix of the line it prints when the plugin is rejected; the message follows.
inline constexpr absl::string_view kCheckRejectedPrefix = "mptest-plugin-check: rejected: ";

}  // namespace mptest::plugin

#endif  // MPTEST_CORE_PLUGIN_CHILD_CHECK_H_
