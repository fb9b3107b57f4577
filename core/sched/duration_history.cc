// Run-time history across campaigns (see duration_history.h).
#include "core/sched/duration_history.h"

#include <cmath>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "core/report/atomic_file.h"
#include "glog/logging.h"

namespace mptest::sched {
namespace {

constexpr char kHeader[] =
    "# mptest run-time history: seconds of clean runs per cell, moving average over campaigns\n"
    "# label\tboard\tvariant\tseconds\n";

bool Writable(const std::string& field) { return field.find_first_of("\t\n\r") == field.npos; }

}  // namespace

std::string DurationHistoryPath(const std::string& cache_dir) {
  return cache_dir.empty() ? "" : absl::StrCat(cache_dir, "/", kDurationHistoryFile);
}

absl::StatusOr<DurationEstimates> ParseDurationHistory(absl::string_view text,
                                                       const std::string& path) {
  DurationEstimates history;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    std::vector<absl::string_view> fields = absl::StrSplit(line, '\t');
    double seconds = 0;
    if (fields.size() != 4) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ":", number, ": expected 4 tab-separated fields (label, board, variant, seconds), ",
          "found ", fields.size()));
    }
    if (fields[0].empty() || fields[1].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", number, ": the label and the board must not be empty"));
    }
    if (!absl::SimpleAtod(fields[3], &seconds) || !std::isfinite(seconds) || seconds <= 0) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", number, ": seconds: expected a ",
                                                     "positive number, found '", fields[3], "'"));
    }
    history[EstimateKey(std::string(fields[0]), std::string(fields[1]), std::string(fields[2]))] =
        seconds;
  }
  return history;
}

std::string FormatDurationHistory(const DurationEstimates& history) {
  std::string text = kHeader;
  for (const auto& [key, seconds] : history) {
    std::string label, board, variant;
    if (!SplitEstimateKey(key, &label, &board, &variant) || label.empty() || board.empty() ||
        !Writable(label) || !Writable(board) || !Writable(variant) || !(seconds > 0) ||
        !std::isfinite(seconds)) {
      continue;  // cannot be written back as a line: leave it out rather than corrupt the file
    }
    absl::StrAppend(&text, label, "\t", board, "\t", variant, "\t",
                    absl::StrFormat("%.3f", seconds), "\n");
  }
  return text;
}

absl::StatusOr<DurationEstimates> LoadDurationHistory(const std::string& path) {
  absl::StatusOr<std::string> text = report::ReadFile(path);
  if (absl::IsNotFound(text.status())) return DurationEstimates();
  if (!text.ok()) return text.status();
  return ParseDurationHistory(*text, path);
}

void DurationHistory::Record(const std::string& label, const std::string& board,
                             const std::string& variant, double seconds) {
  if (!(seconds > 0) || !std::isfinite(seconds)) return;
  Sum& sum = runs_[EstimateKey(label, board, variant)];
  sum.seconds += seconds;
  ++sum.runs;
}

DurationEstimates DurationHistory::Means() const {
  DurationEstimates means;
  for (const auto& [key, sum] : runs_) means[key] = sum.seconds / sum.runs;
  return means;
}

absl::Status DurationHistory::MergeInto(const std::string& path) const {
  absl::StatusOr<DurationEstimates> history = LoadDurationHistory(path);
  if (absl::IsInvalidArgument(history.status())) {
    LOG(WARNING) << history.status() << "; replacing it with this campaign's durations";
    history = DurationEstimates();
  }
  if (!history.ok()) return history.status();
  for (const auto& [key, mean] : Means()) {
    auto [it, inserted] = history->emplace(key, mean);
    if (!inserted) {
      it->second = kNewestDurationWeight * mean + (1 - kNewestDurationWeight) * it->second;
    }
  }
  size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    if (absl::Status status = report::MakeDirectories(path.substr(0, slash)); !status.ok()) {
      return status;
    }
  }
  return report::WriteFileAtomically(path, FormatDurationHistory(*history));
}

}  // namespace mptest::sched
