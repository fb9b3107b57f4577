// mptest: runs MicroPython's test suites on many boards at once. This is the command line entry.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/str_cat.h"
#include "core/version.h"
#include "glog/logging.h"

namespace {

std::string VersionString() {
  return absl::StrCat("mptest ", mptest::kVersion, "\n");
}

}  // namespace

int main(int argc, char** argv) {
  absl::FlagsUsageConfig usage_config;
  usage_config.version_string = VersionString;
  usage_config.contains_help_flags = [](absl::string_view path) {
    return path.find("tools/") != absl::string_view::npos ||
           path.find("core/") != absl::string_view::npos;
  };
  absl::SetFlagsUsageConfig(usage_config);
  absl::SetProgramUsageMessage(
      "runs MicroPython's test suites on many boards at once.\n"
      "\n"
      "usage: mptest [COMMAND] [--flags]\n"
      "  --version   print the version and exit\n"
      "  --help      print this help and the flags\n");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  google::InitGoogleLogging(argv[0]);
  if (args.size() > 1) {
    std::fprintf(stderr, "mptest: unknown command '%s' (try --help)\n", args[1]);
    return 2;
  }
  std::printf("mptest %s: nothing to run yet.\n", mptest::kVersion);
  return 0;
}
