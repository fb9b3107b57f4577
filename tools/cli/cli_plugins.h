// The CLI's PluginSource: the plugins the registry found (--plugin_path, MPTEST_PLUGIN_PATH, the
// built-in set in mptest's runfiles) and nothing else: no stand-in, no test fake. The `flash`
// command's empty harness ("flash_only") is the one implementation compiled into mptest, added
// to the registry as an in-process plugin.
#ifndef MPTEST_TOOLS_CLI_CLI_PLUGINS_H_
#define MPTEST_TOOLS_CLI_CLI_PLUGINS_H_

#include <string>

#include "absl/status/status.h"
#include "core/plugin/plugin_source.h"
#include "core/plugin/registry.h"
#include "core/sched/config.h"

namespace mptest::cli {

// The harness of the `flash` command: flashing happened before it, so it runs nothing.
inline constexpr char kFlashOnlyHarness[] = "flash_only";

class CliPlugins : public sched::PluginSource {
 public:
  explicit CliPlugins(const std::string& argv0);

  absl::StatusOr<Builder*> GetBuilder(const std::string& name) override;
  absl::StatusOr<BoardDriver*> GetDriver(const std::string& type) override;
  absl::StatusOr<Harness*> GetHarness(const std::string& name) override;
  // The identity the board reports (RegistryPluginSource::ReadVersion).
  absl::StatusOr<std::string> ReadVersion(const proto::Tentacle& tentacle) override;

  // Every plugin `lab` names resolves to a usable plugin of the right kind: each tentacle's
  // type (a board driver), each board's builder and each spec's harness. InvalidArgument naming
  // the file, the entry and the field, what was asked for, and what the plugin path holds.
  absl::Status CheckLab(const sched::LabConfig& lab, const std::string& boards_dir,
                        const std::string& specs_path);

  const plugin::PluginRegistry& registry() const { return registry_; }

 private:
  plugin::PluginRegistry registry_;
  plugin::RegistryPluginSource source_;
};

}  // namespace mptest::cli

#endif  // MPTEST_TOOLS_CLI_CLI_PLUGINS_H_
