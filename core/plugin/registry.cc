// The plugin registry: see registry.h.
#include "core/plugin/registry.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "core/plugin/abi_check.h"
#include "core/plugin/adapters.h"
#include "core/plugin/child_check.h"
#include "core/plugin/search.h"
#include "core/plugin/verdict_cache.h"
#include "glog/logging.h"

namespace mptest::plugin {
namespace {

// "lib<name>.so" or "<name>.so" -> "<name>": how a rejected file is matched to a name.
std::string FileStem(absl::string_view path) {
  absl::string_view base = path.substr(path.rfind('/') + 1);
  base = absl::StripSuffix(base, ".so");
  return std::string(absl::StripPrefix(base, "lib"));
}

// Runs the child check unless the cache has a verdict for this version of the file.
CheckVerdict CheckedVerdict(const std::string& path, VerdictCache& cache,
                            const PluginSearchOptions& options) {
  absl::StatusOr<FileIdentity> identity = FileIdentity::Of(path);
  if (!identity.ok()) return CheckVerdict{false, std::string(identity.status().message())};
  if (std::optional<CheckVerdict> cached = cache.Find(path, *identity)) return *cached;
  absl::StatusOr<CheckVerdict> verdict = CheckInChild(options.checker, path, options.check_timeout);
  if (!verdict.ok()) {
    // Not the plugin's fault: do not cache, and do not load it unchecked either.
    return CheckVerdict{false, absl::StrCat(path, ": not checked: ", verdict.status().message())};
  }
  cache.Put(path, *identity, *verdict);
  return *verdict;
}

}  // namespace

PluginRegistry PluginRegistry::Load(const PluginSearchOptions& options) {
  PluginRegistry registry;
  VerdictCache cache = VerdictCache::Load(options.verdict_cache);
  std::set<std::string> seen;  // files found twice (a directory listed twice) count once
  const auto consider_dirs = [&](const std::vector<std::string>& dirs, const char* origin) {
    for (const std::string& dir : dirs) {
      absl::StatusOr<std::vector<std::string>> files = ListPluginFiles(dir);
      if (!files.ok()) {
        registry.Reject(dir, origin, files.status());
        continue;
      }
      for (const std::string& file : *files) {
        if (seen.insert(file).second) registry.Consider(file, origin, cache, options);
      }
    }
  };
  consider_dirs(options.plugin_path, "--plugin_path");
  consider_dirs(options.env_plugin_path, "MPTEST_PLUGIN_PATH");
  for (const std::string& file : options.builtin_files) {
    if (seen.insert(file).second) registry.Consider(file, "built-in", cache, options);
  }
  if (absl::Status saved = cache.Save(); !saved.ok()) LOG(WARNING) << saved;
  return registry;
}

void PluginRegistry::Reject(const std::string& path, const std::string& origin,
                            absl::Status status) {
  LOG(WARNING) << "plugin ignored: " << status.message();
  PluginRecord record;
  record.path = path;
  record.origin = origin;
  record.status = std::move(status);
  records_.push_back(std::move(record));
}

void PluginRegistry::Consider(const std::string& path, const std::string& origin,
                              VerdictCache& cache, const PluginSearchOptions& options) {
  if (absl::Status safe = CheckNotWorldWritable(path, "plugin file"); !safe.ok()) {
    return Reject(path, origin, safe);
  }
  if (!options.checker.empty()) {
    CheckVerdict verdict = CheckedVerdict(path, cache, options);
    if (!verdict.ok) return Reject(path, origin, absl::FailedPreconditionError(verdict.message));
  }
  absl::StatusOr<std::shared_ptr<const LoadedPlugin>> library = LoadPlugin(path);
  if (!library.ok()) return Reject(path, origin, library.status());
  const LoadedPlugin& loaded = **library;
  if (const PluginRecord* taken = FindConflict(loaded.name(), loaded.kinds())) {
    Reject(path, origin,
           absl::AlreadyExistsError(absl::StrCat(path, ": duplicate plugin name '", loaded.name(),
                                                 "': already provided by ", taken->path)));
    records_.back().name = loaded.name();
    return;
  }
  PluginRecord record;
  record.path = path;
  record.origin = origin;
  record.name = loaded.name();
  record.version = loaded.version();
  record.description = loaded.description();
  record.kinds = loaded.kinds();
  record.abi_version = loaded.abi_version();
  record.library = *std::move(library);
  records_.push_back(std::move(record));
}

absl::Status PluginRegistry::AddInProcess(InProcessPlugin plugin) {
  if (!IsValidPluginName(plugin.name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("in-process plugin name '", plugin.name, "' is not [a-z0-9_]+"));
  }
  PluginRecord record;
  record.path = "(in-process)";
  record.origin = "in-process";
  record.name = plugin.name;
  record.version = plugin.version;
  record.description = plugin.description;
  if (plugin.builder) record.kinds.push_back("builder");
  if (plugin.board_driver) record.kinds.push_back("board_driver");
  if (plugin.harness) record.kinds.push_back("harness");
  if (record.kinds.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("in-process plugin '", plugin.name, "' provides nothing"));
  }
  if (const PluginRecord* taken = FindConflict(plugin.name, record.kinds)) {
    return absl::AlreadyExistsError(absl::StrCat("duplicate plugin name '", plugin.name,
                                                 "': already provided by ", taken->path));
  }
  record.abi_version = MPTEST_PLUGIN_ABI_VERSION;
  record.in_process = std::make_shared<const InProcessPlugin>(std::move(plugin));
  records_.push_back(std::move(record));
  return absl::OkStatus();
}

const PluginRecord* PluginRegistry::FindUsable(absl::string_view name,
                                               absl::string_view kind) const {
  for (const PluginRecord& record : records_) {
    if (!record.status.ok() || record.name != name) continue;
    if (kind.empty() ||
        std::find(record.kinds.begin(), record.kinds.end(), kind) != record.kinds.end()) {
      return &record;
    }
  }
  return nullptr;
}

const PluginRecord* PluginRegistry::FindConflict(absl::string_view name,
                                                 const std::vector<std::string>& kinds) const {
  for (const std::string& kind : kinds) {
    if (const PluginRecord* taken = FindUsable(name, kind)) return taken;
  }
  return nullptr;
}

absl::Status PluginRegistry::Check(absl::string_view name) const {
  if (FindUsable(name) != nullptr) return absl::OkStatus();
  for (const PluginRecord& record : records_) {
    if (record.name == name || (record.name.empty() && FileStem(record.path) == name)) {
      return absl::Status(
          record.status.code(),
          absl::StrCat("plugin '", name, "' is unusable: ", record.status.message()));
    }
  }
  std::vector<std::string> usable;
  for (const PluginRecord& record : records_) {
    if (record.status.ok()) usable.push_back(record.name);
  }
  return absl::NotFoundError(absl::StrCat(
      "no plugin named '", name,
      "'; available: ", usable.empty() ? "none" : absl::StrJoin(usable, ", "),
      " (see `mptest plugins`; add directories with --plugin_path or MPTEST_PLUGIN_PATH)"));
}

absl::StatusOr<const PluginRecord*> PluginRegistry::FindForKind(absl::string_view name,
                                                                absl::string_view kind) const {
  if (absl::Status status = Check(name); !status.ok()) return status;
  if (const PluginRecord* record = FindUsable(name, kind)) return record;
  const PluginRecord* other = FindUsable(name);
  return absl::FailedPreconditionError(absl::StrCat("plugin '", name, "' (", other->path, ") is a ",
                                                    absl::StrJoin(other->kinds, "+"), ", not a ",
                                                    kind));
}

absl::StatusOr<std::unique_ptr<Builder>> PluginRegistry::NewBuilder(absl::string_view name) const {
  absl::StatusOr<const PluginRecord*> record = FindForKind(name, "builder");
  if (!record.ok()) return record.status();
  if ((*record)->in_process) return (*record)->in_process->builder();
  return NewBuilderAdapter((*record)->library);
}

absl::StatusOr<std::unique_ptr<BoardDriver>> PluginRegistry::NewBoardDriver(
    absl::string_view name) const {
  absl::StatusOr<const PluginRecord*> record = FindForKind(name, "board_driver");
  if (!record.ok()) return record.status();
  if ((*record)->in_process) return (*record)->in_process->board_driver();
  return NewBoardDriverAdapter((*record)->library);
}

absl::StatusOr<std::unique_ptr<Harness>> PluginRegistry::NewHarness(absl::string_view name) const {
  absl::StatusOr<const PluginRecord*> record = FindForKind(name, "harness");
  if (!record.ok()) return record.status();
  if ((*record)->in_process) return (*record)->in_process->harness();
  return NewHarnessAdapter((*record)->library);
}

}  // namespace mptest::plugin
