// Plugin search options from flags, environment and runfiles: see flags.h.
#include "core/plugin/flags.h"

#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "core/install/installed_root.h"
#include "core/plugin/search.h"
#include "glog/logging.h"
#include "tools/cpp/runfiles/runfiles.h"

ABSL_FLAG(std::string, plugin_path, "",
          "Colon-separated directories of mptest plugins (*.so), searched before "
          "MPTEST_PLUGIN_PATH and the built-in plugins. See `mptest plugins`.");

namespace mptest::plugin {
namespace {

using ::bazel::tools::cpp::runfiles::Runfiles;

}  // namespace

PluginSearchOptions SearchOptionsFromFlags(const std::string& argv0,
                                           const std::string& builtin_manifest) {
  PluginSearchOptions options;
  options.plugin_path = SplitPathList(absl::GetFlag(FLAGS_plugin_path));
  if (const char* env = std::getenv("MPTEST_PLUGIN_PATH"); env != nullptr) {
    options.env_plugin_path = SplitPathList(env);
  }
  if (std::string cache = install::UserCacheDirectory(); !cache.empty()) {
    options.verdict_cache = absl::StrCat(cache, "/plugin-verdicts.txt");
  }

  const std::string executable = install::SelfExecutable();
  options.checker = executable.substr(0, executable.rfind('/') + 1) + "mptest_plugin_check";
  std::string error;
  std::unique_ptr<Runfiles> runfiles = install::OpenRunfiles(argv0, &error);
  if (runfiles == nullptr) {
    LOG(WARNING) << "no runfiles (" << error << "): no built-in plugins";
    return options;
  }
  if (std::string checker = runfiles->Rlocation(kCheckerRunfilesPath);
      !checker.empty() && access(checker.c_str(), X_OK) == 0) {
    options.checker = checker;
  }
  absl::StatusOr<std::vector<std::string>> builtin =
      ReadPluginManifest(runfiles->Rlocation(builtin_manifest));
  if (!builtin.ok()) {
    LOG(INFO) << builtin.status().message() << ": no built-in plugins";
    return options;
  }
  for (const std::string& entry : *builtin) {
    options.builtin_files.push_back(runfiles->Rlocation(entry));
  }
  return options;
}

}  // namespace mptest::plugin
