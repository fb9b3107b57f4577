// Plugin file discovery: see search.h.
#include "core/plugin/search.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace mptest::plugin {

absl::Status CheckNotWorldWritable(const std::string& path, absl::string_view what) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
  }
  if ((st.st_mode & S_IWOTH) == 0) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrFormat(
      "%s %s is world-writable (mode %04o): anyone on this machine could put code there that "
      "mptest would run, so it is ignored; fix it with: chmod o-w %s",
      what, path, st.st_mode & 07777, path));
}

absl::StatusOr<std::vector<std::string>> ListPluginFiles(const std::string& dir) {
  struct stat info;
  if (stat(dir.c_str(), &info) == 0 && S_ISREG(info.st_mode)) {  // one plugin file named itself
    if (absl::Status status = CheckNotWorldWritable(dir, "plugin file"); !status.ok()) {
      return status;
    }
    return std::vector<std::string>{dir};
  }
  if (absl::Status status = CheckNotWorldWritable(dir, "plugin directory"); !status.ok()) {
    return status;
  }
  DIR* stream = opendir(dir.c_str());
  if (stream == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("plugin directory ", dir, ": cannot list: ", std::strerror(errno)));
  }
  std::vector<std::string> files;
  while (const dirent* entry = readdir(stream)) {
    absl::string_view name = entry->d_name;
    if (absl::EndsWith(name, ".so") && name != ".so") {
      files.push_back(absl::StrCat(absl::StripSuffix(dir, "/"), "/", name));
    }
  }
  closedir(stream);
  std::sort(files.begin(), files.end());
  return files;
}

absl::StatusOr<std::vector<std::string>> ReadPluginManifest(const std::string& manifest_path) {
  std::ifstream in(manifest_path);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("built-in plugin manifest ", manifest_path, ": cannot read"));
  }
  std::vector<std::string> files;
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view entry = absl::StripAsciiWhitespace(line);
    if (entry.empty() || absl::StartsWith(entry, "#")) continue;
    files.emplace_back(entry);
  }
  return files;
}

std::vector<std::string> SplitPathList(absl::string_view list) {
  return absl::StrSplit(list, ':', absl::SkipEmpty());
}

}  // namespace mptest::plugin
