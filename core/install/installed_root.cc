// The installed tree of the running mptest: see installed_root.h.
#include "core/install/installed_root.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace mptest::install {

std::string SelfExecutable() {
  char buffer[4096];
  ssize_t size = readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
  return size > 0 ? std::string(buffer, static_cast<size_t>(size)) : std::string();
}

std::string InstalledRunfilesRoot(const std::string& executable) {
  const std::string program = executable.empty() ? SelfExecutable() : executable;
  const size_t slash = program.rfind('/');
  if (slash == std::string::npos) return "";
  const size_t parent = program.rfind('/', slash == 0 ? 0 : slash - 1);
  if (parent == std::string::npos || parent == slash) return "";
  const std::string root = program.substr(0, parent) + "/lib";
  struct stat st;
  if (stat((root + "/mptest").c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return "";
  return root;
}

std::unique_ptr<bazel::tools::cpp::runfiles::Runfiles> OpenRunfiles(const std::string& argv0,
                                                                    std::string* error) {
  using ::bazel::tools::cpp::runfiles::Runfiles;
  const std::string executable = SelfExecutable();
  // An installed mptest's runfiles are its installed tree, whatever the environment says.
  const std::string installed = InstalledRunfilesRoot(executable);
  return std::unique_ptr<Runfiles>(installed.empty()
                                       ? Runfiles::Create(argv0.empty() ? executable : argv0, error)
                                       : Runfiles::Create(executable, "", installed, error));
}

std::string Runfile(const std::string& argv0, const std::string& path) {
  std::string error;
  // Opened once per process (the first caller's argv0: every caller passes the program's).
  static const auto* const runfiles = OpenRunfiles(argv0, &error).release();
  if (runfiles != nullptr) {
    const std::string located = runfiles->Rlocation("mptest/" + path);
    if (!located.empty() && access(located.c_str(), R_OK) == 0) return located;
  }
  return path;
}

std::string UserCacheDirectory() {
  if (const char* xdg = getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::string(xdg) + "/mptest";
  }
  if (const char* home = getenv("HOME"); home != nullptr && *home != '\0') {
    return std::string(home) + "/.cache/mptest";
  }
  return "";
}

}  // namespace mptest::install
