// Helpers shared by the board drivers (virtual, execpty, serial): resolving inventory entries
// against board definitions, per-tentacle state directories, argv templates, runtime fields.
#ifndef MPTEST_PLUGINS_BOARDS_DRIVER_UTIL_H_
#define MPTEST_PLUGINS_BOARDS_DRIVER_UTIL_H_

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
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

// Finds a helper program the drivers start: $<env_var> if set; else `name` next to the plugin
// library or the running program; else <runfiles>/mptest/<runfiles_path>. "" if none exists.
std::string FindHelperProgram(const char* env_var, const std::string& name,
                              const std::string& runfiles_path);

// Copies a file (atomically: temporary + rename), keeping its permission bits.
absl::Status CopyFileAtomically(const std::string& from, const std::string& to);

}  // namespace mptest::boards

#endif  // MPTEST_PLUGINS_BOARDS_DRIVER_UTIL_H_
