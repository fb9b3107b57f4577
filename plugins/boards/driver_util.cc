// Helpers shared by the board drivers (see driver_util.h).
#include "plugins/boards/driver_util.h"

#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "firmware/launcher.h"

namespace mptest::boards {

namespace fs = std::filesystem;

absl::StatusOr<std::vector<proto::Tentacle>> ResolveEntries(const proto::DiscoverRequest& request,
                                                            const std::string& type) {
  if (request.state_dir().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(type, " driver: DiscoverRequest.state_dir is empty"));
  }
  std::vector<proto::Tentacle> tentacles;
  std::set<std::string> labels;
  for (const proto::InventoryEntry& entry : request.inventory().tentacles()) {
    if (entry.type() != type) continue;
    if (entry.label().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(type, " tentacle with an empty label"));
    }
    if (!labels.insert(entry.label()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("tentacle '", entry.label(), "' appears twice in the inventory"));
    }
    const proto::BoardDefinition* board = nullptr;
    for (const proto::BoardDefinition& candidate : request.boards()) {
      if (candidate.name() == entry.board()) board = &candidate;
    }
    if (board == nullptr) {
      return absl::NotFoundError(absl::StrCat("tentacle '", entry.label(), "': board '",
                                              entry.board(), "' has no board definition"));
    }
    proto::Tentacle tentacle;
    *tentacle.mutable_entry() = entry;
    *tentacle.mutable_board() = *board;
    tentacle.set_state("off");
    std::string dir = absl::StrCat(request.state_dir(), "/", entry.label());
    std::error_code error;
    fs::create_directories(dir, error);
    if (error) {
      return absl::PermissionDeniedError(absl::StrCat(
          "tentacle '", entry.label(), "': cannot create ", dir, ": ", error.message()));
    }
    (*tentacle.mutable_runtime())["state_dir"] = dir;
    if (!request.persist_dir().empty()) {
      const std::string kept = absl::StrCat(request.persist_dir(), "/", entry.label());
      fs::create_directories(kept, error);
      if (error) {
        return absl::PermissionDeniedError(absl::StrCat(
            "tentacle '", entry.label(), "': cannot create ", kept, ": ", error.message()));
      }
      (*tentacle.mutable_runtime())["persist_dir"] = kept;
    }
    tentacles.push_back(std::move(tentacle));
  }
  return tentacles;
}

absl::StatusOr<std::vector<std::string>> ExpandArgv(
    const std::vector<std::string>& argv, const std::map<std::string, std::string>& values,
    const std::string& what) {
  std::vector<std::string> expanded;
  for (const std::string& arg : argv) {
    std::string out;
    for (size_t i = 0; i < arg.size(); ++i) {
      if (arg[i] != '{') {
        out.push_back(arg[i]);
        continue;
      }
      size_t close = arg.find('}', i);
      if (close == std::string::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat(what, ": unmatched '{' in argument '", arg, "'"));
      }
      std::string name = arg.substr(i + 1, close - i - 1);
      auto found = values.find(name);
      if (found == values.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat(what, ": unknown placeholder {", name, "} in argument '", arg, "'"));
      }
      out += found->second;
      i = close;
    }
    expanded.push_back(std::move(out));
  }
  return expanded;
}

absl::StatusOr<std::string> RuntimeField(const proto::Tentacle& tentacle, const std::string& key) {
  auto found = tentacle.runtime().find(key);
  if (found == tentacle.runtime().end() || found->second.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("tentacle '", tentacle.entry().label(), "' has no runtime field '", key,
                     "' (was it discovered and started by its driver?)"));
  }
  return found->second;
}

absl::StatusOr<pid_t> RuntimePid(const proto::Tentacle& tentacle, const std::string& key) {
  absl::StatusOr<std::string> text = RuntimeField(tentacle, key);
  if (!text.ok()) return text.status();
  int pid = 0;
  if (!absl::SimpleAtoi(*text, &pid) || pid <= 0) {
    return absl::FailedPreconditionError(absl::StrCat("tentacle '", tentacle.entry().label(),
                                                      "': runtime field '", key,
                                                      "' is not a pid: '", *text, "'"));
  }
  return pid;
}

absl::StatusOr<pid_t> RunningProcess(const proto::Tentacle& tentacle) {
  absl::StatusOr<pid_t> pid = RuntimePid(tentacle, "pid");
  if (!pid.ok() || !firmware::ProcessMatches(*pid, absl::StrCat("--link=", tentacle.console()))) {
    // Started by a call whose answer the caller did not keep (a flash that started a blank
    // board): the pid file in the state directory.
    auto dir = tentacle.runtime().find("state_dir");
    int recorded = 0;
    std::ifstream file(dir == tentacle.runtime().end() ? "" : dir->second + "/pid");
    if (file >> recorded && recorded > 0) pid = recorded;
  }
  if (!pid.ok()) return pid.status();
  if (!firmware::ProcessMatches(*pid, absl::StrCat("--link=", tentacle.console()))) {
    return absl::FailedPreconditionError(absl::StrCat(
        "tentacle '", tentacle.entry().label(), "': its process (pid ", *pid, ") is not running"));
  }
  return *pid;
}

absl::StatusOr<proto::Tentacle> StartTentacleProcess(const proto::Tentacle& tentacle,
                                                     const std::vector<std::string>& argv,
                                                     const std::string& log_path,
                                                     absl::Duration start_timeout) {
  unlink(tentacle.console().c_str());
  absl::StatusOr<pid_t> pid = firmware::LaunchProcess(argv, log_path, tentacle.console(),
                                                      /*detach=*/true, start_timeout);
  if (!pid.ok()) {
    return absl::Status(pid.status().code(), absl::StrCat("tentacle '", tentacle.entry().label(),
                                                          "': ", pid.status().message()));
  }
  proto::Tentacle started = tentacle;
  (*started.mutable_runtime())["pid"] = absl::StrCat(*pid);
  if (auto dir = tentacle.runtime().find("state_dir"); dir != tentacle.runtime().end()) {
    std::ofstream(dir->second + "/pid") << *pid << "\n";
  }
  return started;
}

absl::Status PowerCycleTentacleProcess(const proto::Tentacle& tentacle) {
  absl::StatusOr<pid_t> pid = RunningProcess(tentacle);
  return pid.ok() ? firmware::PowerCycleBoard(*pid) : pid.status();
}

absl::Status StopTentacleProcess(const proto::Tentacle& tentacle) {
  absl::StatusOr<pid_t> pid = RunningProcess(tentacle);
  return pid.ok() ? firmware::StopBoard(*pid) : absl::OkStatus();
}

std::string FindHelperProgram(const char* env_var, const std::string& name,
                              const std::string& runfiles_path) {
  if (const char* env = getenv(env_var); env != nullptr && *env) return env;
  std::vector<std::string> candidates;
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&FindHelperProgram), &info) != 0 && info.dli_fname) {
    fs::path here = fs::path(info.dli_fname).parent_path();
    candidates.push_back((here / name).string());
    // Bazel's output tree: <bin>/plugins/boards/<type>/lib<type>.so.
    candidates.push_back((here / "../../.." / runfiles_path).string());
  }
  std::error_code error;
  fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (!error) candidates.push_back((exe.parent_path() / name).string());
  for (const char* env : {"RUNFILES_DIR", "TEST_SRCDIR"}) {
    if (const char* dir = getenv(env); dir != nullptr && *dir) {
      candidates.push_back(absl::StrCat(dir, "/mptest/", runfiles_path));
    }
  }
  for (const std::string& candidate : candidates) {
    if (access(candidate.c_str(), X_OK) == 0) return fs::absolute(candidate).string();
  }
  return "";
}

}  // namespace mptest::boards
