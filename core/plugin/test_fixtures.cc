// Test helpers for the plugin tests: see test_fixtures.h.
#include "core/plugin/test_fixtures.h"

#include <sys/stat.h>

#include <fstream>

#include "glog/logging.h"

namespace mptest::plugin::testing {

std::string NewTempDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = std::string(tmp == nullptr ? "/tmp" : tmp) + "/" + name;
  CHECK(mkdir(dir.c_str(), 0755) == 0) << "mkdir " << dir;
  CHECK(chmod(dir.c_str(), 0755) == 0) << "chmod " << dir;  // whatever the umask
  return dir;
}

void CopyFile(const std::string& from, const std::string& to) {
  std::ifstream in(from, std::ios::binary);
  CHECK(in) << "cannot read " << from;
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  out << in.rdbuf();
  out.close();
  CHECK(out) << "cannot write " << to;
  CHECK(chmod(to.c_str(), 0755) == 0) << "chmod " << to;
}

}  // namespace mptest::plugin::testing
