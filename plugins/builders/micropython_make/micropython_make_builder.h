// MicropythonMakeBuilder: the `micropython_make` builder. Takes a micropython checkout (a
// local directory or a git spec, see core/gitspec), builds mpy-cross once per tree state, then
// the board's port with make, finds the artifact, and returns the firmware with the version
// string the board will report (see version_info.h). Builds are cached by commit, working-tree
// diff, board, variant, arguments and build prefix; a cache hit runs no make.
#ifndef MPTEST_PLUGINS_BUILDERS_MICROPYTHON_MAKE_MICROPYTHON_MAKE_BUILDER_H_
#define MPTEST_PLUGINS_BUILDERS_MICROPYTHON_MAKE_MICROPYTHON_MAKE_BUILDER_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/api/builder.h"
#include "core/proto/tentacle.pb.h"

namespace mptest::micropython_make {

struct BuilderOptions {
  int cores = 0;                                    // 0 = the machine's
  absl::Duration make_timeout = absl::Minutes(60);  // per make command
  absl::Duration git_timeout = absl::Seconds(240);  // per git command
};

// Thread-compatible; Build may be called from several processes at once (the tree and the
// cache entries are locked on disk).
class MicropythonMakeBuilder : public Builder {
 public:
  explicit MicropythonMakeBuilder(BuilderOptions options = {});

  // request.source: a directory or git spec; request.board: port, name, build_prefix (each
  // element "{tree}" is replaced by the checkout's absolute path, for container run lines);
  // request.variant, request.args (NAME=value), request.jobs (0 = all cores);
  // request.output_dir receives firmware.<kind> (or micropython), mpy-cross and build.log;
  // request.cache_dir holds the git clones and the firmware cache.
  absl::StatusOr<proto::Firmware> Build(const proto::BuildRequest& request) override;

 private:
  BuilderOptions options_;
};

}  // namespace mptest::micropython_make

#endif  // MPTEST_PLUGINS_BUILDERS_MICROPYTHON_MAKE_MICROPYTHON_MAKE_BUILDER_H_
