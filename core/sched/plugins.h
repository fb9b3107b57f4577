// PluginSource: how the scheduler gets its builders, board drivers and harnesses (by name), and
// how it asks a board which firmware it runs. The CLI backs it with the plugin loader; tests
// back it with fakes.
#ifndef MPTEST_CORE_SCHED_PLUGINS_H_
#define MPTEST_CORE_SCHED_PLUGINS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/api/board_driver.h"
#include "core/api/builder.h"
#include "core/api/harness.h"

namespace mptest::sched {

class PluginSource {
 public:
  virtual ~PluginSource() = default;
  virtual absl::StatusOr<Builder*> GetBuilder(const std::string& name) = 0;
  virtual absl::StatusOr<BoardDriver*> GetDriver(const std::string& type) = 0;
  virtual absl::StatusOr<Harness*> GetHarness(const std::string& name) = 0;
  // The version string the board reports (sys.implementation._build; sys.version; ...), as
  // Firmware.version spells it. Unimplemented: the board cannot be asked; the scheduler then
  // flashes without the skip-by-version check and cannot verify after flashing.
  virtual absl::StatusOr<std::string> ReadVersion(const proto::Tentacle& /*tentacle*/) {
    return absl::UnimplementedError("no version probe for this tentacle type");
  }
};

}  // namespace mptest::sched

#endif  // MPTEST_CORE_SCHED_PLUGINS_H_
