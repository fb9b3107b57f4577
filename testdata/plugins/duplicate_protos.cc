// Bad plugin: built without mptest_plugin, so it links a private copy of the core's generated
// protobuf code. Loading it next to mptest makes protobuf abort with "File already exists in
// database"; the child check must report that, not die of it.
#include "core/api/plugin_sdk.h"

namespace {

class DuplicateProtosBuilder : public mptest::Builder {
 public:
  absl::StatusOr<mptest::proto::Firmware> Build(const mptest::proto::BuildRequest&) override {
    return mptest::proto::Firmware();
  }
};

}  // namespace

MPTEST_PLUGIN("duplicate_protos", "1", "links a second copy of core/proto", DuplicateProtosBuilder);
