// The plugin registry: every plugin mptest found, by name, and the one place the scheduler asks
// for a builder, board driver or harness.
//
//   PluginRegistry registry = PluginRegistry::Load(SearchOptionsFromFlags());
//   absl::StatusOr<std::unique_ptr<mptest::BoardDriver>> driver =
//       registry.NewBoardDriver(entry.type());           // e.g. "virtual"
//
// Load never fails as a whole: a plugin that cannot be used is recorded with the reason
// (records()) and logged, and the others are used. Search order: --plugin_path, then
// MPTEST_PLUGIN_PATH, then the built-in plugins. Names are unique per kind: a later plugin is
// rejected if a kind it provides is already provided under its name (the scheduler looks up
// builders, board drivers and harnesses separately, so builder "virtual" and board driver
// "virtual" can be two plugins). A plugin file that is new or changed is first loaded in a child
// process (the checker) and the verdict cached by file identity, so one that crashes while loading
// is reported, not fatal. Implementations compiled into mptest (or test fakes) can be added with
// AddInProcess; callers cannot tell them from plugins.
#ifndef MPTEST_CORE_PLUGIN_REGISTRY_H_
#define MPTEST_CORE_PLUGIN_REGISTRY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/api/board_driver.h"
#include "core/api/builder.h"
#include "core/api/harness.h"
#include "core/plugin/loader.h"

namespace mptest::plugin {

class VerdictCache;

struct PluginSearchOptions {
  std::vector<std::string> plugin_path;      // directories from --plugin_path (searched first)
  std::vector<std::string> env_plugin_path;  // directories from MPTEST_PLUGIN_PATH
  std::vector<std::string> builtin_files;    // the built-in plugin files (searched last)
  // Where check verdicts are cached; "" = no cache (every file is checked every time).
  std::string verdict_cache;
  // The mptest_plugin_check program. "" = no child check: plugins are loaded straight into this
  // process, and one that crashes while loading takes it down. Only for tests and debugging.
  std::string checker;
  absl::Duration check_timeout = absl::Seconds(20);
};

// A plugin compiled into the process: what AddInProcess takes. Unused factories stay empty.
struct InProcessPlugin {
  std::string name;
  std::string version;
  std::string description;
  std::function<std::unique_ptr<Builder>()> builder;
  std::function<std::unique_ptr<BoardDriver>()> board_driver;
  std::function<std::unique_ptr<Harness>()> harness;
};

// One plugin file (or directory) mptest looked at, usable or not.
struct PluginRecord {
  std::string path;     // the file or directory; "(in-process)" for AddInProcess
  std::string origin;   // "--plugin_path", "MPTEST_PLUGIN_PATH", "built-in", "in-process"
  absl::Status status;  // OK if usable; otherwise why it was rejected (names the file)
  // What the plugin says about itself; empty while unknown (it may never have loaded).
  std::string name;
  std::string version;
  std::string description;
  std::vector<std::string> kinds;  // "builder", "board_driver", "harness"
  uint32_t abi_version = 0;
  // Set when usable.
  std::shared_ptr<const LoadedPlugin> library;
  std::shared_ptr<const InProcessPlugin> in_process;
};

class PluginRegistry {
 public:
  PluginRegistry() = default;  // empty; see AddInProcess

  // Finds, checks and loads every plugin the options point at.
  static PluginRegistry Load(const PluginSearchOptions& options);

  // Adds a compiled-in plugin. AlreadyExists if the name is taken for one of its kinds,
  // InvalidArgument for a bad name or no factory.
  absl::Status AddInProcess(InProcessPlugin plugin);

  // Every plugin file and directory looked at, in search order, then in-process ones.
  const std::vector<PluginRecord>& records() const { return records_; }

  // OK if a usable plugin is called `name`. Otherwise NotFound listing the usable plugins, or
  // the reason the plugin of that name (or file lib<name>.so) was rejected.
  absl::Status Check(absl::string_view name) const;

  // A new instance of the named plugin's implementation. Errors: as Check, or FailedPrecondition
  // when the plugin does not provide that kind ("'virtual' is a board_driver, not a builder").
  absl::StatusOr<std::unique_ptr<Builder>> NewBuilder(absl::string_view name) const;
  absl::StatusOr<std::unique_ptr<BoardDriver>> NewBoardDriver(absl::string_view name) const;
  absl::StatusOr<std::unique_ptr<Harness>> NewHarness(absl::string_view name) const;

 private:
  void Consider(const std::string& path, const std::string& origin, VerdictCache& cache,
                const PluginSearchOptions& options);
  void Reject(const std::string& path, const std::string& origin, absl::Status status);
  // A usable plugin called `name` that provides `kind` ("" = any kind).
  const PluginRecord* FindUsable(absl::string_view name, absl::string_view kind = "") const;
  // A usable plugin called `name` providing one of `kinds`.
  const PluginRecord* FindConflict(absl::string_view name,
                                   const std::vector<std::string>& kinds) const;
  absl::StatusOr<const PluginRecord*> FindForKind(absl::string_view name,
                                                  absl::string_view kind) const;

  std::vector<PluginRecord> records_;
};

}  // namespace mptest::plugin

#endif  // MPTEST_CORE_PLUGIN_REGISTRY_H_
