// The installed tree of the running mptest: see installed_root.h.
#include "core/install/installed_root.h"

#include <sys/stat.h>
#include <unistd.h>

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

}  // namespace mptest::install
