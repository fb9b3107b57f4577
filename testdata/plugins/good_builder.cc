// A well-behaved builder plugin for the loader tests: "builds" by naming the firmware after the
// request's board and variant, reporting two steps on the way (Builder::ReportStep).
#include "core/api/plugin_sdk.h"

namespace {

class GoodBuilder : public mptest::Builder {
 public:
  absl::StatusOr<mptest::proto::Firmware> Build(
      const mptest::proto::BuildRequest& request) override {
    ReportStep("make", 1, 2);
    ReportStep("make", 2, 2);
    mptest::proto::Firmware firmware;
    firmware.set_board(request.board().name());
    firmware.set_variant(request.variant());
    firmware.set_path(request.output_dir() + "/firmware-" + request.board().name() + ".bin");
    firmware.set_kind("bin");
    return firmware;
  }
};

}  // namespace

MPTEST_PLUGIN("good_builder", "0.1.0", "test builder", GoodBuilder);
