// Counting a make step's compilations; see make_progress.h.
#include "plugins/builders/micropython_make/make_progress.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/time/clock.h"

namespace mptest::micropython_make {

MakeProgress::MakeProgress(std::string step, Report report, absl::Duration interval)
    : step_(std::move(step)), report_(std::move(report)), interval_(interval) {
  Send(absl::Now());
}

void MakeProgress::Line(absl::string_view line) {
  // MicroPython's makefiles print one such line per compiled file (py/mkrules.mk, V=0).
  if (!absl::StartsWith(line, "CC ") && !absl::StartsWith(line, "CXX ") &&
      !absl::StartsWith(line, "AS ")) {
    return;
  }
  ++compiled_;
  const absl::Time now = absl::Now();
  if (now - last_report_ >= interval_) Send(now);
}

void MakeProgress::Finish() {
  if (compiled_ != reported_) Send(absl::Now());
}

void MakeProgress::Send(absl::Time now) {
  last_report_ = now;
  reported_ = compiled_;
  if (!report_) return;
  proto::BuildProgress progress;
  progress.set_step(step_);
  progress.set_done(compiled_);
  progress.set_unit("files");
  report_(progress);
}

}  // namespace mptest::micropython_make
