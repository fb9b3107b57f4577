// Per-process logs, as pyATS's TaskLogHandler: each pcall child sends its glog output to its
// own file, <dir>/<task>:pid-<pid>, and after join the parent copies each child's file into its
// own log between ">>>> Begin child log <path>" and "<<<< End child log <path>" lines.
#ifndef MPTEST_CORE_LOG_CHILD_LOG_H_
#define MPTEST_CORE_LOG_CHILD_LOG_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace mptest::log {

// "<dir>/<task>:pid-<pid>".
std::string ChildLogPath(absl::string_view dir, absl::string_view task, pid_t pid);

// Where child logs go when the caller names no directory: --log_dir if set, else
// $TEST_TMPDIR, else $TMPDIR, else mptest's private directory (core/process/private_dir.h), not
// the shared /tmp (/tmp only when even that cannot be made).
std::string DefaultLogDir();

// In a child: from now on this process's glog messages (every severity) are written to `path`
// (created mode 0600, never through a symlink, appended, one write per message so nothing is lost
// if the child crashes) and no longer to the log files inherited from the parent. Messages still go
// to stderr if the parent configured that. Call once per process, early.
absl::Status RedirectToChildLog(const std::string& path);

// This process's glog messages of every severity, INFO included, go to `path` (appended,
// created with the umask, never through a symlink) and to no glog file of its own; forked
// children do not write there (RedirectToChildLog gives them their own, merged in here). mptest
// sends a campaign's log to <testresults>/mptest.log with it.
absl::Status LogToFile(const std::string& path);

// In a pcall child, once its event sender is installed: from now on every glog message of
// WARNING or worse is also sent to the parent as a LogLine event (seed 004's EventLog), so the
// parent hears of it while the child still runs. Messages of processes this one forks are not
// sent. Idempotent in a process.
void SendWarningsAsEvents();

// In the parent: copies the child log at `path` into this process's log (LOG(INFO)), one
// record per line, between the Begin and End marker lines. A missing file is reported inside
// the markers, not as an error of the caller; an empty one is removed (nothing to keep).
void MergeChildLog(const std::string& path);

}  // namespace mptest::log

#endif  // MPTEST_CORE_LOG_CHILD_LOG_H_
