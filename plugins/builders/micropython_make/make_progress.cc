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

void MakeProgress::Feed(absl::string_view output) {
  const int before = compiled_;
  while (!output.empty()) {
    const size_t newline = output.find('\n');
    if (newline == absl::string_view::npos) {
      partial_line_.append(output.data(), output.size());
      break;
    }
    partial_line_.append(output.data(), newline);
    CountLine(partial_line_);
    partial_line_.clear();
    output.remove_prefix(newline + 1);
  }
  if (compiled_ == before) return;
  const absl::Time now = absl::Now();
  if (now - last_report_ >= interval_) Send(now);
}

void MakeProgress::Finish() {
  if (!partial_line_.empty()) CountLine(partial_line_);
  partial_line_.clear();
  if (compiled_ != reported_) Send(absl::Now());
}

void MakeProgress::CountLine(absl::string_view line) {
  // MicroPython's makefiles print one such line per compiled file (py/mkrules.mk, V=0).
  for (absl::string_view prefix : {"CC ", "CXX ", "AS "}) {
    if (absl::StartsWith(line, prefix)) {
      ++compiled_;
      return;
    }
  }
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
