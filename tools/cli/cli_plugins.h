// The CLI's PluginSource: plugins found by the registry (--plugin_path, MPTEST_PLUGIN_PATH, the
// built-in set in mptest's runfiles), falling back to the compiled-in stand-ins
// (builtin_plugins.h) only for names no plugin provides. Reads a board's version over its
// console with the raw-REPL client (the plugin ABI has no version probe).
#ifndef MPTEST_TOOLS_CLI_CLI_PLUGINS_H_
#define MPTEST_TOOLS_CLI_CLI_PLUGINS_H_

#include <memory>
#include <string>
#include <vector>

#include "core/plugin/plugin_source.h"
#include "core/plugin/registry.h"
#include "tools/cli/builtin_plugins.h"

namespace mptest::cli {

class CliPlugins : public sched::PluginSource {
 public:
  explicit CliPlugins(const std::string& argv0);

  absl::StatusOr<Builder*> GetBuilder(const std::string& name) override;
  absl::StatusOr<BoardDriver*> GetDriver(const std::string& type) override;
  absl::StatusOr<Harness*> GetHarness(const std::string& name) override;
  // Stand-in tentacles answer from their state file; real ones over the raw REPL
  // (sys.version's token after "MicroPython ", as Firmware.version spells it).
  absl::StatusOr<std::string> ReadVersion(const proto::Tentacle& tentacle) override;

  // One line per name the lab uses that is served by a stand-in, not a plugin.
  std::vector<std::string> Notes(const std::vector<std::string>& builders,
                                 const std::vector<std::string>& drivers,
                                 const std::vector<std::string>& harnesses) const;
  const plugin::PluginRegistry& registry() const { return registry_; }

 private:
  plugin::PluginRegistry registry_;
  BuiltinPlugins stand_ins_;
  plugin::RegistryPluginSource source_;
};

}  // namespace mptest::cli

#endif  // MPTEST_TOOLS_CLI_CLI_PLUGINS_H_
