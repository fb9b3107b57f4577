// The CLI's built-in stand-in plugins (see builtin_plugins.h).
#include "tools/cli/builtin_plugins.h"

#include "absl/strings/str_cat.h"

namespace mptest::cli {

BuiltinPlugins::BuiltinPlugins() {
  builder_.duration = absl::Seconds(1);
  builder_.version_prefix = "MicroPython virtual";
}

absl::StatusOr<Builder*> BuiltinPlugins::GetBuilder(const std::string& name) {
  if (name == "virtual") return &builder_;
  return absl::NotFoundError(
      absl::StrCat("builder plugin '", name, "' is not installed (built in: virtual)"));
}

absl::StatusOr<BoardDriver*> BuiltinPlugins::GetDriver(const std::string& type) {
  if (type == "virtual") return &driver_;
  return absl::NotFoundError(
      absl::StrCat("board driver plugin '", type, "' is not installed (built in: virtual)"));
}

absl::StatusOr<Harness*> BuiltinPlugins::GetHarness(const std::string& name) {
  if (name == "native") return &host_harness_;
  if (name == "flash_only") return &flash_only_;
  return absl::NotFoundError(
      absl::StrCat("harness plugin '", name, "' is not installed (built in: native, flash_only)"));
}

absl::StatusOr<std::string> BuiltinPlugins::ReadVersion(const proto::Tentacle& tentacle) {
  return sched::testing::FakeDriver::ReadVersion(tentacle);
}

std::vector<std::string> BuiltinPlugins::Notes() const {
  return {
      "note: built-in stand-ins in use: board driver 'virtual' = simulated tentacles "
      "(version file), builder 'virtual' = image files, harness 'native' = host python3 "
      "against .exp files"};
}

std::vector<std::string> BuiltinPlugins::Describe() const {
  return {"virtual      builder       built-in stand-in: writes an image file per board-variant",
          "virtual      board_driver  built-in stand-in: simulated tentacles, flash = version file",
          "native       harness       built-in stand-in: runs tests with host python3, .exp",
          "flash_only   harness       built-in: the flash command's empty harness"};
}

}  // namespace mptest::cli
