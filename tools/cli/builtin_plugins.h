// The plugins the CLI uses. Until the plugin loader's name-keyed registry and the virtual board,
// virtual builder and native harness plugins are installed, these are built-in stand-ins: the
// scheduler's fake builder (an image file per board-variant, 1 s per build), fake board driver
// (flashing records the image's version in a state file, so skip-by-version and verification
// work) and the host-python harness. Notes() says so on every run.
#ifndef MPTEST_TOOLS_CLI_BUILTIN_PLUGINS_H_
#define MPTEST_TOOLS_CLI_BUILTIN_PLUGINS_H_

#include <string>
#include <vector>

#include "core/sched/plugins.h"
#include "core/sched/testing/fakes.h"
#include "tools/cli/host_harness.h"

namespace mptest::cli {

// Runs nothing: the `flash` command's harness (flashing happened before it).
class FlashOnlyHarness : public Harness {
 public:
  absl::StatusOr<proto::HarnessResult> Run(const proto::HarnessRequest&) override {
    return proto::HarnessResult();
  }
};

class BuiltinPlugins : public sched::PluginSource {
 public:
  BuiltinPlugins();
  absl::StatusOr<Builder*> GetBuilder(const std::string& name) override;
  absl::StatusOr<BoardDriver*> GetDriver(const std::string& type) override;
  absl::StatusOr<Harness*> GetHarness(const std::string& name) override;
  absl::StatusOr<std::string> ReadVersion(const proto::Tentacle& tentacle) override;

  std::vector<std::string> Notes() const;
  std::vector<std::string> Describe() const;

 private:
  sched::testing::FakeBuilder builder_;
  sched::testing::FakeDriver driver_;
  HostPythonHarness host_harness_;
  FlashOnlyHarness flash_only_;
};

}  // namespace mptest::cli

#endif  // MPTEST_TOOLS_CLI_BUILTIN_PLUGINS_H_
