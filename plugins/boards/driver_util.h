// Helpers shared by the board drivers (virtual, execpty, serial, and plugin authors' through
// the plugin SDK): resolving inventory entries against board definitions, per-tentacle state
// directories, argv templates, runtime fields, and a board process tied to its tentacle's life.
#ifndef MPTEST_PLUGINS_BOARDS_DRIVER_UTIL_H_
#define MPTEST_PLUGINS_BOARDS_DRIVER_UTIL_H_

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/proto/tentacle.pb.h"

namespace mptest::boards {

// Tentacles for the inventory entries of `type`, each with its board definition, state "off"
// and runtime["state_dir"] = <request.state_dir>/<label> (created). Errors name the label:
// an unknown board, a duplicate label, an empty label, no state_dir.
absl::StatusOr<std::vector<proto::Tentacle>> ResolveEntries(const proto::DiscoverRequest& request,
                                                            const std::string& type);

// Replaces {name} placeholders in each argument (never splitting or joining arguments).
// An unknown placeholder or an unmatched brace is an InvalidArgument error naming `what`.
absl::StatusOr<std::vector<std::string>> ExpandArgv(
    const std::vector<std::string>& argv, const std::map<std::string, std::string>& values,
    const std::string& what);

// runtime[key] or a FailedPrecondition naming the tentacle and the key.
absl::StatusOr<std::string> RuntimeField(const proto::Tentacle& tentacle, const std::string& key);
// runtime[key] as a pid (> 0).
absl::StatusOr<pid_t> RuntimePid(const proto::Tentacle& tentacle, const std::string& key);

// The pid in runtime["pid"], else the one in <runtime state_dir>/pid, if that process is alive
// and serves tentacle.console (its command line holds --link=<console>); FailedPrecondition
// naming the tentacle otherwise.
absl::StatusOr<pid_t> RunningProcess(const proto::Tentacle& tentacle);

// The launcher of a board that is a process (a simulator, an emulator, a relay to a serial
// port): starts argv (argv[0] a path) detached, with stderr appended to log_path, and returns
// once the program has created tentacle.console() (a stale one is removed first). Its command
// line must hold --link=<tentacle.console()>, by which RunningProcess tells it from a reused
// pid. The process outlives the call that started it (a supervised Start) and ends with
// StopTentacleProcess or the campaign's end (firmware/launcher.h's lifeline), whichever comes
// first. Returns the tentacle with runtime["pid"] set, also written to <runtime state_dir>/pid
// for calls given an older copy. Errors name the tentacle and include the end of the log.
absl::StatusOr<proto::Tentacle> StartTentacleProcess(
    const proto::Tentacle& tentacle, const std::vector<std::string>& argv,
    const std::string& log_path, absl::Duration start_timeout = absl::Seconds(10));

// SIGHUP to the tentacle's RunningProcess (the virtual board reboots, the pty relay restarts
// its command); FailedPrecondition naming the tentacle when none runs.
absl::Status PowerCycleTentacleProcess(const proto::Tentacle& tentacle);

// Ends the tentacle's RunningProcess (SIGTERM, then SIGKILL); OK when none runs, so that a
// driver's Stop built on it is idempotent.
absl::Status StopTentacleProcess(const proto::Tentacle& tentacle);

// Finds a helper program the drivers start: $<env_var> if set; else `name` next to the plugin
// library or the running program; else <runfiles>/mptest/<runfiles_path>. "" if none exists.
std::string FindHelperProgram(const char* env_var, const std::string& name,
                              const std::string& runfiles_path);

}  // namespace mptest::boards

#endif  // MPTEST_PLUGINS_BOARDS_DRIVER_UTIL_H_
