// Builder: the interface of a firmware builder plugin, as the scheduler sees it.
#ifndef MPTEST_CORE_API_BUILDER_H_
#define MPTEST_CORE_API_BUILDER_H_

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "core/api/report_channel.h"
#include "core/proto/tentacle.pb.h"

namespace mptest {

// Where a builder's progress reports go (Builder::SetProgressReporter).
using BuildReporter = ReportChannel<proto::BuildProgress>::Receiver;

// Builds firmware for one board and variant. The scheduler calls Build in a child process
// of its own, so an implementation may block, run make, and use the process's cwd freely; it
// must not rely on state kept between calls except its on-disk cache.
class Builder {
 public:
  virtual ~Builder() = default;

  // Builds (or takes from request.cache_dir) the firmware for request.board/variant.
  // Errors name the board, the variant and where the build log is.
  virtual absl::StatusOr<proto::Firmware> Build(const proto::BuildRequest& request) = 0;

  // Call from Build (any thread) as the build moves on: mptest shows the step on the console's
  // build lane ("make 120 of 310") while the build runs. Cheap and thread-safe; report a new
  // count at most a few times a second. Does nothing where nobody listens (a unit test, an
  // mptest older than the report_build call).
  void ReportProgress(const proto::BuildProgress& progress) const { reports_.Send(progress); }

  // ReportProgress's common use: `step` ("checkout", "mpy-cross", "make"), `done` `unit`s
  // ("files"; "" = steps) of it of `total` (0 = not counted / not known).
  void ReportStep(const std::string& step, int done = 0, int total = 0,
                  const std::string& unit = "") const {
    proto::BuildProgress progress;
    progress.set_step(step);
    progress.set_done(done);
    progress.set_total(total);
    progress.set_unit(unit);
    ReportProgress(progress);
  }

  // Where ReportProgress goes: set by mptest around each Build (and, in a plugin, by the SDK,
  // which forwards to mptest). nullptr: nowhere.
  void SetProgressReporter(BuildReporter reporter) { reports_.Connect(std::move(reporter)); }

 private:
  ReportChannel<proto::BuildProgress> reports_;
};

}  // namespace mptest

#endif  // MPTEST_CORE_API_BUILDER_H_
