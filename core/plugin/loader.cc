// dlopen-based loading of plugins: see loader.h.
#include "core/plugin/loader.h"

#include <dlfcn.h>

#include <map>
#include <mutex>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/plugin/abi_check.h"
#include "core/plugin/elf_check.h"
#include "core/version.h"
#include "glog/logging.h"

namespace mptest::plugin {
namespace {

void LogFromPlugin(int32_t severity, const char* message, size_t size) {
  absl::string_view text(message, message == nullptr ? 0 : size);
  if (severity >= 2) {
    LOG(ERROR) << "plugin: " << text;
  } else if (severity == 1) {
    LOG(WARNING) << "plugin: " << text;
  } else {
    LOG(INFO) << "plugin: " << text;
  }
}

// Where the plugins' reports of one kind (Message) go: a channel per message type, which the
// adapter connects around the plugin call that sends them.
template <typename Message>
ReportChannel<Message>& PluginReports() {
  static auto* channel = new ReportChannel<Message>();  // never destroyed: plugin threads may call
  return *channel;
}

// The host's report_test and report_build: parses the plugin's bytes into Message and sends it
// on. `call` names the host call in the warning about bytes that do not parse.
template <typename Message>
void ReportFromPlugin(const char* call, const char* data, size_t size) {
  Message message;
  if (data == nullptr || size > static_cast<size_t>(INT32_MAX) ||
      !message.ParseFromArray(data, static_cast<int>(size))) {
    LOG(WARNING) << "plugin: " << call << ": " << size << " bytes that are not a "
                 << Message::descriptor()->name();
    return;
  }
  PluginReports<Message>().Send(message);
}

void ReportTestFromPlugin(const char* data, size_t size) {
  ReportFromPlugin<proto::TestProgress>("report_test", data, size);
}

void ReportBuildFromPlugin(const char* data, size_t size) {
  ReportFromPlugin<proto::BuildProgress>("report_build", data, size);
}

void AppendToString(void* host_context, const char* data, size_t size) {
  static_cast<std::string*>(host_context)->append(data, size);
}

// Results per library handle, so that a library is initialised once per process even when
// several registries (or a plugin found on two paths) load it.
struct LoadedLibraries {
  std::mutex mutex;
  std::map<void*, absl::StatusOr<std::shared_ptr<const LoadedPlugin>>> by_handle;
};

LoadedLibraries& Libraries() {
  static auto* libraries = new LoadedLibraries();  // never destroyed: plugins are never unloaded
  return *libraries;
}

absl::Status WithPath(const std::string& path, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat(path, ": ", status.message()));
}

absl::StatusOr<std::shared_ptr<const LoadedPlugin>> CheckAndInit(const std::string& path,
                                                                 void* handle) {
  dlerror();
  void* entry = dlsym(handle, MPTEST_PLUGIN_ENTRY_SYMBOL);
  if (entry == nullptr) {
    return absl::NotFoundError(absl::StrCat(path, ": no symbol ", MPTEST_PLUGIN_ENTRY_SYMBOL,
                                            ": not an mptest plugin (is it built with "
                                            "mptest_plugin or MPTEST_PLUGIN?)"));
  }
  const mptest_plugin_descriptor* descriptor = reinterpret_cast<mptest_plugin_entry_fn>(entry)();
  if (absl::Status status = CheckDescriptor(descriptor); !status.ok()) {
    return WithPath(path, status);
  }
  std::string message;
  mptest_plugin_output error{&message, &AppendToString};
  mptest_plugin_status code = descriptor->init(&HostForPlugins(), &error);
  if (code != MPTEST_PLUGIN_OK) {
    if (message.empty()) message = "no message";
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": plugin '", descriptor->name, "' init failed (code ", code, "): ", message));
  }
  return std::make_shared<const LoadedPlugin>(path, descriptor);
}

}  // namespace

LoadedPlugin::LoadedPlugin(std::string path, const mptest_plugin_descriptor* descriptor)
    : path_(std::move(path)),
      descriptor_(descriptor),
      name_(descriptor->name),
      version_(descriptor->version),
      description_(descriptor->description == nullptr ? "" : descriptor->description),
      kinds_(DescriptorKinds(*descriptor)) {}

const mptest_plugin_host& HostForPlugins() {
  static const mptest_plugin_host host = {
      MPTEST_PLUGIN_ABI_VERSION, sizeof(mptest_plugin_host), kVersion, &LogFromPlugin,
      &ReportTestFromPlugin,     &ReportBuildFromPlugin,     {}};
  return host;
}

void SetPluginTestReporter(TestReporter reporter) {
  PluginReports<proto::TestProgress>().Connect(std::move(reporter));
}

void SetPluginBuildReporter(BuildReporter reporter) {
  PluginReports<proto::BuildProgress>().Connect(std::move(reporter));
}

absl::StatusOr<std::shared_ptr<const LoadedPlugin>> LoadPlugin(const std::string& path) {
  if (path.find('/') == std::string::npos) {
    // dlopen would search the library path for a bare name; a plugin is always a file.
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": a plugin path must contain a '/' (use ./", path, ")"));
  }
  if (absl::Status elf = CheckElfSharedObject(path); !elf.ok()) return elf;
  LoadedLibraries& libraries = Libraries();
  std::lock_guard<std::mutex> lock(libraries.mutex);
  dlerror();
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* error = dlerror();
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": cannot load: ", error == nullptr ? "unknown dlopen error" : error));
  }
  auto known = libraries.by_handle.find(handle);
  if (known != libraries.by_handle.end()) {
    dlclose(handle);  // drops the reference this call added; the library stays loaded
    return known->second;
  }
  auto result = CheckAndInit(path, handle);
  // A library that failed is kept open too: its code may still be referenced (atexit handlers).
  libraries.by_handle.emplace(handle, result);
  return result;
}

}  // namespace mptest::plugin
