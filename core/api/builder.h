// Builder: the interface of a firmware builder plugin, as the scheduler sees it.
#ifndef MPTEST_CORE_API_BUILDER_H_
#define MPTEST_CORE_API_BUILDER_H_

#include "absl/status/statusor.h"
#include "core/proto/tentacle.pb.h"

namespace mptest {

// Builds firmware for one board and variant. The scheduler calls Build in a child process
// of its own, so an implementation may block, run make, and use the process's cwd freely; it
// must not rely on state kept between calls except its on-disk cache.
class Builder {
 public:
  virtual ~Builder() = default;

  // Builds (or takes from request.cache_dir) the firmware for request.board/variant.
  // Errors name the board, the variant and where the build log is.
  virtual absl::StatusOr<proto::Firmware> Build(const proto::BuildRequest& request) = 0;
};

}  // namespace mptest

#endif  // MPTEST_CORE_API_BUILDER_H_
