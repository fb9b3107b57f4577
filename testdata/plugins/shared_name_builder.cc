// A builder plugin that shares its name with the good_board board driver: names are unique per
// kind, so both are usable (as the builder "virtual" and the board driver "virtual" are).
#include "core/api/plugin_sdk.h"

namespace {

class SharedNameBuilder : public mptest::Builder {
 public:
  absl::StatusOr<mptest::proto::Firmware> Build(const mptest::proto::BuildRequest&) override {
    mptest::proto::Firmware firmware;
    firmware.set_kind("shared");
    return firmware;
  }
};

}  // namespace

MPTEST_PLUGIN("good_board", "3.0.0", "a builder named like a board driver", SharedNameBuilder);
