// MakeProgress: counts what a MicroPython make step compiles from its output as it arrives
// (make's quiet lines "CC ../../py/obj.c", "CXX ...", "AS ...") and tells the builder's reporter,
// so that the console's build lane shows "make 120 files" while the build runs.
#ifndef MPTEST_PLUGINS_BUILDERS_MICROPYTHON_MAKE_MAKE_PROGRESS_H_
#define MPTEST_PLUGINS_BUILDERS_MICROPYTHON_MAKE_MAKE_PROGRESS_H_

#include <functional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/proto/tentacle.pb.h"

namespace mptest::micropython_make {

class MakeProgress {
 public:
  using Report = std::function<void(const proto::BuildProgress&)>;

  // Reports `step` at once (nothing compiled yet), then each new count, at most once per
  // `interval` (a parallel make prints hundreds of lines a second).
  MakeProgress(std::string step, Report report, absl::Duration interval = absl::Milliseconds(250));

  // A line of the step's output (RunCommand's on_line).
  void Line(absl::string_view line);

  // The step ended: reports the final count if it was held back.
  void Finish();

  int compiled() const { return compiled_; }

 private:
  void Send(absl::Time now);

  std::string step_;
  Report report_;
  absl::Duration interval_;
  int compiled_ = 0;
  int reported_ = -1;
  absl::Time last_report_ = absl::InfinitePast();
};

}  // namespace mptest::micropython_make

#endif  // MPTEST_PLUGINS_BUILDERS_MICROPYTHON_MAKE_MAKE_PROGRESS_H_
