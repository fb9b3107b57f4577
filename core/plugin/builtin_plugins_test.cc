// Loads the built-in plugin set (//plugins:builtin_plugins) the way mptest does, from the
// manifest in the runfiles, with the child checker: every plugin must be usable and its name
// unique, or mptest would start with a warning on every run.
#include <string>

#include "core/plugin/flags.h"
#include "core/plugin/registry.h"
#include "gtest/gtest.h"

namespace mptest::plugin {
namespace {

TEST(BuiltinPluginsTest, EveryBuiltinPluginLoads) {
  PluginSearchOptions options = SearchOptionsFromFlags("");
  options.verdict_cache.clear();
  ASSERT_FALSE(options.builtin_files.empty()) << "no manifest at " << kBuiltinPluginManifest;
  PluginRegistry registry = PluginRegistry::Load(options);
  ASSERT_EQ(registry.records().size(), options.builtin_files.size());
  for (const PluginRecord& record : registry.records()) {
    EXPECT_TRUE(record.status.ok()) << record.status.message();
    EXPECT_EQ(record.origin, "built-in");
  }
}

}  // namespace
}  // namespace mptest::plugin
