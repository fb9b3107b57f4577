// The virtual builder: "builds" firmware for virtual boards (port "virtual") by writing a
// firmware image (firmware/image.h) whose version is derived from the source and build args, so
// different sources give different versions, and the same source the same one. A build argument
// "delay_s=<seconds>" makes a build (not a cache hit) take that long, like a real one, and it
// reports its progress as one does.
#ifndef MPTEST_PLUGINS_BUILDERS_VIRTUAL_VIRTUAL_BUILDER_H_
#define MPTEST_PLUGINS_BUILDERS_VIRTUAL_VIRTUAL_BUILDER_H_

#include <string>

#include "core/api/builder.h"

namespace mptest::builders {

// The MicroPython release virtual images claim to be.
inline constexpr char kVirtualBaseVersion[] = "v1.29.0";

// The files a virtual build "compiles" (Builder::ReportProgress: "make 3 of 8 files"), evenly
// over its delay.
inline constexpr int kVirtualFiles = 8;

class VirtualBuilder : public Builder {
 public:
  // Writes <output_dir>/<board>[-<variant>].vimg and build.log. With a cache_dir, an image for
  // the same (source, board, variant, args) is reused from <cache_dir>/virtual/.
  // Errors: InvalidArgument for a board that is not virtual, an unknown variant, a missing
  // output_dir or a malformed delay_s argument; other codes when files cannot be written (the
  // message names the path).
  absl::StatusOr<proto::Firmware> Build(const proto::BuildRequest& request) override;

  // The version an image built from this request reports: v1.29.0-virtual-<8 hex digits>.
  static std::string VersionFor(const proto::BuildRequest& request);

  // How long a build of this request takes: the last "delay_s=<seconds>" argument (0 to 600),
  // else zero. InvalidArgument naming the argument when it is malformed or out of range.
  static absl::StatusOr<absl::Duration> BuildDelay(const proto::BuildRequest& request);
};

}  // namespace mptest::builders

#endif  // MPTEST_PLUGINS_BUILDERS_VIRTUAL_VIRTUAL_BUILDER_H_
