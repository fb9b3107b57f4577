// The plugin loader: dlopen a plugin library, check its descriptor and initialise it.
//
//   absl::StatusOr<std::shared_ptr<const LoadedPlugin>> plugin = LoadPlugin(path);
//   if (!plugin.ok()) { ... plugin.status().message() names the file and the cause ... }
//   std::unique_ptr<mptest::BoardDriver> driver = NewBoardDriverAdapter(*plugin);
//
// Libraries are opened with RTLD_NOW | RTLD_LOCAL (a missing symbol fails here, not in the
// middle of a test run; plugins never see each other's symbols) and are never closed: a plugin
// may have started threads or registered atexit handlers, as in LLVM's permanent libraries.
// Linking the loader exports the core's generated protobuf code from the executable
// (-rdynamic), which is what plugins link against (see plugin.bzl).
#ifndef MPTEST_CORE_PLUGIN_LOADER_H_
#define MPTEST_CORE_PLUGIN_LOADER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/api/builder.h"
#include "core/api/harness.h"
#include "core/api/plugin_abi.h"

namespace mptest::plugin {

// A plugin library loaded into this process, checked and initialised. Immutable.
class LoadedPlugin {
 public:
  LoadedPlugin(std::string path, const mptest_plugin_descriptor* descriptor);

  const std::string& path() const { return path_; }
  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  const std::string& description() const { return description_; }
  uint32_t abi_version() const { return descriptor_->abi_version; }
  // "builder", "board_driver", "harness": the kinds it provides, in that order.
  const std::vector<std::string>& kinds() const { return kinds_; }
  const mptest_plugin_descriptor& descriptor() const { return *descriptor_; }

 private:
  std::string path_;
  const mptest_plugin_descriptor* descriptor_;  // owned by the library, static storage
  std::string name_;
  std::string version_;
  std::string description_;
  std::vector<std::string> kinds_;
};

// Loads the plugin at `path` into this process: dlopen, resolve MPTEST_PLUGIN_ENTRY_SYMBOL, call
// it, check the descriptor (abi_check.h), call init. Every error starts with the path and says
// the cause: the dlerror() text, "no symbol mptest_plugin_entry: not an mptest plugin",
// "built for ABI 3, this mptest supports 1", "init failed: <the plugin's message>".
// Loading the same library twice returns the same LoadedPlugin (init runs once per process).
// Thread-safe.
absl::StatusOr<std::shared_ptr<const LoadedPlugin>> LoadPlugin(const std::string& path);

// The host description passed to every plugin's init.
const mptest_plugin_host& HostForPlugins();

// Where the plugins' report_test calls go (a harness plugin's Run in progress: the harness
// adapter sets it to its own Harness::ReportTest for the call). nullptr: they are dropped.
// Thread-safe.
void SetPluginTestReporter(TestReporter reporter);

// The same for report_build (a builder plugin's Build in progress: the builder adapter sets it
// to its own Builder::ReportProgress for the call).
void SetPluginBuildReporter(BuildReporter reporter);

}  // namespace mptest::plugin

#endif  // MPTEST_CORE_PLUGIN_LOADER_H_
