// Paths of the plugin fixtures (testdata/plugins) in a test's runfiles.
#ifndef MPTEST_CORE_PLUGIN_TEST_FIXTURES_H_
#define MPTEST_CORE_PLUGIN_TEST_FIXTURES_H_

#include <cstdlib>
#include <string>

namespace mptest::plugin::testing {

// The fixture testdata/plugins/lib<name>.so in the runfiles of the running test.
inline std::string FixturePath(const std::string& name) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  return std::string(srcdir == nullptr ? "." : srcdir) + "/mptest/testdata/plugins/lib" + name +
         ".so";
}

// A fresh directory under $TEST_TMPDIR.
std::string NewTempDir(const std::string& name);

// Copies `from` to `to` (mode 0755).
void CopyFile(const std::string& from, const std::string& to);

}  // namespace mptest::plugin::testing

#endif  // MPTEST_CORE_PLUGIN_TEST_FIXTURES_H_
