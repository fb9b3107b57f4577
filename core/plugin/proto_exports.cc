// Keeps the core's generated protobuf code in every binary that loads plugins, so that the
// executable (linked with -rdynamic, see BUILD.bazel) provides the process's only copy of it.
// Plugins are linked without that code (plugin.bzl) and resolve it from here at load time;
// a second copy would make protobuf abort with "File already exists in database".
#include "core/proto/events.pb.h"
#include "core/proto/results.pb.h"
#include "core/proto/tentacle.pb.h"

namespace mptest::plugin {

// One message per .proto file: referencing it pulls in that file's whole generated object
// (board.proto comes with tentacle.proto). Referenced nowhere else on purpose.
extern const void* const kCoreProtoAnchors[];
const void* const kCoreProtoAnchors[] = {
    &proto::_Tentacle_default_instance_,
    &proto::_Event_default_instance_,
    &proto::_Outcome_default_instance_,
};

}  // namespace mptest::plugin
