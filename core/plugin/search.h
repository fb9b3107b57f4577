// Finding plugin files: the directories of --plugin_path and MPTEST_PLUGIN_PATH (every *.so in
// them, not recursive) and the built-in plugins listed in a manifest in mptest's runfiles.
// A directory or file anyone may write to is refused: whoever can write there could make mptest
// run their code.
#ifndef MPTEST_CORE_PLUGIN_SEARCH_H_
#define MPTEST_CORE_PLUGIN_SEARCH_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mptest::plugin {

// OK unless `path` (a plugin directory or file) is writable by others. The error says why it is
// refused and how to fix it ("chmod o-w <path>").
absl::Status CheckNotWorldWritable(const std::string& path, absl::string_view what);

// The plugin files (*.so, sorted by name) in `dir`, after checking the directory is not
// world-writable; a plugin file named itself (a --plugin_path entry may be one) is the one file,
// if it is not world-writable. Errors name the directory or file and the cause.
absl::StatusOr<std::vector<std::string>> ListPluginFiles(const std::string& dir);

// Reads a built-in plugin manifest (written by mptest_plugin_set in plugin.bzl): one runfiles
// path ("mptest/plugins/boards/virtual/libvirtual.so") per line, '#' comments.
absl::StatusOr<std::vector<std::string>> ReadPluginManifest(const std::string& manifest_path);

// Splits a colon-separated path list, dropping empty elements.
std::vector<std::string> SplitPathList(absl::string_view list);

}  // namespace mptest::plugin

#endif  // MPTEST_CORE_PLUGIN_SEARCH_H_
