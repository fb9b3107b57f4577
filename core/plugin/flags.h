// The command-line side of plugin search: the --plugin_path flag and the search options of the
// running binary (flag, MPTEST_PLUGIN_PATH, the built-in plugins and the checker in its
// runfiles, the verdict cache). Only binaries link this (never a plugin: it defines a flag).
#ifndef MPTEST_CORE_PLUGIN_FLAGS_H_
#define MPTEST_CORE_PLUGIN_FLAGS_H_

#include <string>

#include "absl/flags/declare.h"
#include "core/plugin/registry.h"

ABSL_DECLARE_FLAG(std::string, plugin_path);

namespace mptest::plugin {

// The runfiles path of the built-in plugin manifest (mptest_plugin_set //plugins:builtin_plugins).
inline constexpr char kBuiltinPluginManifest[] = "mptest/plugins/builtin_plugins.txt";
// The runfiles path of the plugin checker.
inline constexpr char kCheckerRunfilesPath[] = "mptest/core/plugin/mptest_plugin_check";

// The search options for this process. `argv0` is argv[0] (used to find the runfiles; "" = the
// running executable). Built-in plugins come from kBuiltinPluginManifest; a binary without it
// has none (logged). The checker comes from the runfiles, else from next to the executable. The
// verdict cache is $XDG_CACHE_HOME/mptest/plugin-verdicts.txt (else ~/.cache/...).
// `builtin_manifest` is the runfiles path of the built-in plugin manifest.
PluginSearchOptions SearchOptionsFromFlags(
    const std::string& argv0, const std::string& builtin_manifest = kBuiltinPluginManifest);

}  // namespace mptest::plugin

#endif  // MPTEST_CORE_PLUGIN_FLAGS_H_
