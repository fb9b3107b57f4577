// Host-side adapters: a loaded plugin seen through the interfaces the scheduler uses
// (mptest::Builder, mptest::BoardDriver, mptest::Harness). Each call serializes the request,
// calls the plugin's C function and turns its result back into a message or an absl::Status
// whose message names the plugin, its file and the method. The scheduler cannot tell an adapter
// from a built-in implementation.
#ifndef MPTEST_CORE_PLUGIN_ADAPTERS_H_
#define MPTEST_CORE_PLUGIN_ADAPTERS_H_

#include <memory>

#include "core/api/board_driver.h"
#include "core/api/builder.h"
#include "core/api/harness.h"
#include "core/plugin/loader.h"

namespace mptest::plugin {

// Each returns nullptr if the plugin does not provide that kind. The adapter keeps the plugin
// alive. Adapters are thread-safe if the plugin is (the ABI requires it).
std::unique_ptr<Builder> NewBuilderAdapter(std::shared_ptr<const LoadedPlugin> plugin);
std::unique_ptr<BoardDriver> NewBoardDriverAdapter(std::shared_ptr<const LoadedPlugin> plugin);
std::unique_ptr<Harness> NewHarnessAdapter(std::shared_ptr<const LoadedPlugin> plugin);

}  // namespace mptest::plugin

#endif  // MPTEST_CORE_PLUGIN_ADAPTERS_H_
