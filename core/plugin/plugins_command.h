// `mptest plugins [NAME...]`: lists every plugin mptest finds (name, kinds, version, ABI, origin,
// file) and every rejected one with the reason. With names, reports only those plugins and
// fails if one of them is unusable.
#ifndef MPTEST_CORE_PLUGIN_PLUGINS_COMMAND_H_
#define MPTEST_CORE_PLUGIN_PLUGINS_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

#include "core/plugin/registry.h"

namespace mptest::plugin {

struct PluginsCommandOptions {
  PluginSearchOptions search;      // usually SearchOptionsFromFlags(argv[0]) (flags.h)
  std::vector<std::string> names;  // the plugins the user asked about; empty = all
};

// Prints the listing to `out`. Returns the exit code: 0, or 2 when a plugin named in
// options.names is missing or unusable. Rejected plugins the user did not name do not change
// the exit code.
int RunPluginsCommand(const PluginsCommandOptions& options, std::ostream& out);

// The listing of an already loaded registry (what RunPluginsCommand prints).
int PrintPlugins(const PluginRegistry& registry, const std::vector<std::string>& names,
                 std::ostream& out);

}  // namespace mptest::plugin

#endif  // MPTEST_CORE_PLUGIN_PLUGINS_COMMAND_H_
