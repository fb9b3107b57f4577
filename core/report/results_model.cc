// Summary counts, failures matrices and timeline bars computed from the result model.
#include "core/report/results_model.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "core/proto/board_variant.h"

namespace mptest::report {

bool IsKnownOutcome(Verdict verdict) {
  return verdict != proto::Outcome::verdict_unspecified && proto::Outcome::Verdict_IsValid(verdict);
}

GroupState StateOf(const proto::TestGroupResult& group) {
  if (group.running()) return GroupState::kRunning;
  if (!group.msg_error().empty()) return GroupState::kErrored;
  if (!group.msg_interrupted().empty()) return GroupState::kInterrupted;
  if (!group.msg_skipped().empty()) return GroupState::kSkipped;
  return GroupState::kRun;
}

absl::string_view StateName(GroupState state) {
  switch (state) {
    case GroupState::kRun:
      return "run";
    case GroupState::kSkipped:
      return "skipped";
    case GroupState::kErrored:
      return "errored";
    case GroupState::kInterrupted:
      return "interrupted";
    case GroupState::kRunning:
      return "running";
  }
  return "run";
}

const std::string& StateReason(const proto::TestGroupResult& group) {
  switch (StateOf(group)) {
    case GroupState::kErrored:
      return group.msg_error();
    case GroupState::kInterrupted:
      return group.msg_interrupted();
    default:
      return group.msg_skipped();
  }
}

std::string FormatAnchorTime(double unix_s) {
  if (!(unix_s > 0 && unix_s < 1e11)) return "";  // also NaN and the far future
  absl::Time time = absl::FromUnixMicros(static_cast<int64_t>(std::llround(unix_s * 1e6)));
  return absl::FormatTime("%Y-%m-%d_%H-%M-%S%z", time, absl::UTCTimeZone());
}

void FillTimeStrings(proto::TestGroupResult* group) {
  if (group->time_start().empty()) group->set_time_start(FormatAnchorTime(group->start_s()));
  if (group->time_end().empty()) group->set_time_end(FormatAnchorTime(group->end_s()));
}

void FillTimeStrings(proto::CampaignContext* context) {
  if (context->time_start().empty()) context->set_time_start(FormatAnchorTime(context->start_s()));
  if (context->time_end().empty()) context->set_time_end(FormatAnchorTime(context->end_s()));
}

proto::Summary ComputeSummary(const proto::CampaignResults& results) {
  proto::Summary summary;
  for (const proto::TestGroupResult& group : results.groups()) {
    switch (StateOf(group)) {
      case GroupState::kRun:
        summary.set_groups_run(summary.groups_run() + 1);
        break;
      case GroupState::kSkipped:
        summary.set_groups_skipped(summary.groups_skipped() + 1);
        break;
      case GroupState::kErrored:
        summary.set_groups_errored(summary.groups_errored() + 1);
        break;
      case GroupState::kInterrupted:
        summary.set_groups_interrupted(summary.groups_interrupted() + 1);
        break;
      case GroupState::kRunning:
        summary.set_groups_running(summary.groups_running() + 1);
        break;
    }
    for (const proto::Outcome& outcome : group.outcomes()) {
      switch (outcome.outcome()) {
        case proto::Outcome::passed:
          summary.set_tests_passed(summary.tests_passed() + 1);
          break;
        case proto::Outcome::failed:
          summary.set_tests_failed(summary.tests_failed() + 1);
          break;
        case proto::Outcome::xfailed:
          summary.set_tests_xfailed(summary.tests_xfailed() + 1);
          break;
        case proto::Outcome::skipped:
          summary.set_tests_skipped(summary.tests_skipped() + 1);
          break;
        case proto::Outcome::errored:
          summary.set_tests_errored(summary.tests_errored() + 1);
          break;
        default:
          break;
      }
      summary.set_tests_total(summary.tests_total() + 1);
    }
  }
  for (const proto::FirmwareBuild& build : results.context().builds()) {
    if (!build.error().empty()) summary.set_builds_failed(summary.builds_failed() + 1);
  }
  return summary;
}

void MarkFlaky(proto::CampaignResults* results) {
  // testid -> test name -> (seen passing, seen failing)
  std::map<std::string, std::map<std::string, std::pair<bool, bool>>> seen;
  for (const proto::TestGroupResult& group : results->groups()) {
    for (const proto::Outcome& outcome : group.outcomes()) {
      auto& [passed, failed] = seen[group.testid()][outcome.name()];
      passed |= outcome.outcome() == proto::Outcome::passed;
      failed |= IsFailure(outcome.outcome());
    }
  }
  for (proto::TestGroupResult& group : *results->mutable_groups()) {
    for (const auto& [name, verdicts] : seen[group.testid()]) {
      if (verdicts.first && verdicts.second) group.set_flaky(true);
    }
  }
}

std::vector<GroupRow> GroupRows(const proto::CampaignResults& results, GroupState state) {
  std::vector<GroupRow> rows;
  for (const proto::TestGroupResult& group : results.groups()) {
    if (StateOf(group) != state) continue;
    const bool has_log = !group.log_output().empty();
    std::string reason = StateReason(group);
    if (state == GroupState::kRunning) {
      int failed = 0;
      for (const proto::Outcome& outcome : group.outcomes()) failed += IsFailure(outcome.outcome());
      reason = absl::StrCat(group.outcomes_size(), " tests so far");
      if (failed > 0) absl::StrAppend(&reason, ", ", failed, " failed");
    }
    rows.push_back({group.directory_relative(), group.tentacle_variant(), std::move(reason),
                    has_log ? "log" : "directory",
                    has_log ? group.log_output() : group.directory_relative()});
  }
  return rows;
}

std::string MatrixColumn::Title() const {
  return role.empty() ? tentacle_variant : absl::StrCat(tentacle_variant, "-", role);
}

std::vector<FailureMatrix> BuildFailureMatrices(const proto::CampaignResults& results) {
  // testgroup label -> matrix; built in two passes: rows/columns, then cells.
  std::map<std::string, FailureMatrix> matrices;
  for (const proto::TestGroupResult& group : results.groups()) {
    for (const proto::Outcome& outcome : group.outcomes()) {
      if (!IsFailure(outcome.outcome())) continue;
      FailureMatrix& matrix = matrices[group.testgroup()];
      matrix.testgroup = group.testgroup();
      if (std::find(matrix.rows.begin(), matrix.rows.end(), outcome.name()) == matrix.rows.end()) {
        matrix.rows.push_back(outcome.name());
      }
    }
  }
  for (auto& [label, matrix] : matrices) {
    std::sort(matrix.rows.begin(), matrix.rows.end());
    std::map<std::string, size_t> column_index;  // Title() -> index, titles sorted below
    std::vector<MatrixColumn> columns;
    for (const proto::TestGroupResult& group : results.groups()) {
      if (group.testgroup() != label) continue;
      MatrixColumn column{group.tentacle_mcu(), group.tentacle_variant(),
                          group.tentacle_variant_role()};
      if (column_index.emplace(column.Title(), 0).second) columns.push_back(column);
    }
    std::sort(columns.begin(), columns.end(), [](const MatrixColumn& a, const MatrixColumn& b) {
      return std::make_pair(a.mcu, a.Title()) < std::make_pair(b.mcu, b.Title());
    });
    for (size_t i = 0; i < columns.size(); ++i) column_index[columns[i].Title()] = i;
    matrix.columns = std::move(columns);

    std::map<std::string, size_t> row_index;
    for (size_t i = 0; i < matrix.rows.size(); ++i) row_index[matrix.rows[i]] = i;
    for (const proto::TestGroupResult& group : results.groups()) {
      if (group.testgroup() != label) continue;
      MatrixColumn column{group.tentacle_mcu(), group.tentacle_variant(),
                          group.tentacle_variant_role()};
      size_t col = column_index[column.Title()];
      for (const proto::Outcome& outcome : group.outcomes()) {
        auto row = row_index.find(outcome.name());
        if (row == row_index.end()) continue;
        matrix.cells[{row->second, col}].push_back(
            {group.attempt(), VerdictName(outcome.outcome()), group.directory_relative(),
             outcome.expected_file(), outcome.output_file()});
      }
    }
    for (auto& [key, cell] : matrix.cells) {
      std::stable_sort(cell.begin(), cell.end(), [](const MatrixCell& a, const MatrixCell& b) {
        return a.attempt < b.attempt;
      });
    }
  }
  std::vector<FailureMatrix> ordered;
  for (auto& [label, matrix] : matrices) ordered.push_back(std::move(matrix));
  return ordered;
}

std::vector<proto::TimelineEntry> BuildTimeline(const proto::CampaignResults& results) {
  std::vector<proto::TimelineEntry> bars;
  for (const proto::FirmwareBuild& build : results.context().builds()) {
    if (build.end_s() <= 0) continue;
    proto::TimelineEntry& bar = bars.emplace_back();
    bar.set_lane("build");
    bar.set_start_s(build.start_s());
    bar.set_end_s(build.end_s());
    bar.set_label(BoardVariantName(build.board(), build.variant()));
    bar.set_kind("build");
    bar.set_outcome(!build.error().empty() ? "errored" : (build.cached() ? "cached" : "passed"));
  }
  for (const proto::TestGroupResult& group : results.groups()) {
    if (group.start_s() <= 0 || group.end_s() <= 0) continue;
    std::string outcome = VerdictName(proto::Outcome::passed);
    if (StateOf(group) != GroupState::kRun) outcome = std::string(StateName(StateOf(group)));
    for (const proto::Outcome& test : group.outcomes()) {
      if (StateOf(group) == GroupState::kRun && IsFailure(test.outcome())) {
        outcome = VerdictName(proto::Outcome::failed);
      }
    }
    for (const std::string& lane : {group.tentacle(), group.tentacle_reference_name()}) {
      if (lane.empty()) continue;
      proto::TimelineEntry& bar = bars.emplace_back();
      bar.set_lane(lane);
      bar.set_start_s(group.start_s());
      bar.set_end_s(group.end_s());
      bar.set_label(absl::StrCat(group.testgroup(), group.variant().empty() ? "" : " ",
                                 group.variant(), ",", group.attempt()));
      bar.set_kind("test");
      bar.set_outcome(outcome);
    }
    // Flashing the DUT happens inside the attempt: a bar on the DUT's lane only.
    if (group.flash_end_s() > 0 && group.flash_end_s() >= group.flash_start_s() &&
        !group.tentacle().empty()) {
      proto::TimelineEntry& bar = bars.emplace_back();
      bar.set_lane(group.tentacle());
      bar.set_start_s(group.flash_start_s());
      bar.set_end_s(group.flash_end_s());
      bar.set_label(group.variant().empty() ? "flash" : absl::StrCat("flash ", group.variant()));
      bar.set_kind("flash");
    }
  }
  for (const proto::TimelineEntry& extra : results.context().timeline()) bars.push_back(extra);
  std::stable_sort(bars.begin(), bars.end(),
                   [](const proto::TimelineEntry& a, const proto::TimelineEntry& b) {
                     return a.start_s() < b.start_s();
                   });
  return bars;
}

std::string FormatDuration(double seconds) {
  // Durations come from files on disk: NaN, negative or absurd values must not reach the
  // integer conversion below (undefined behaviour past int64's range).
  constexpr double kLongest = 1e12;  // ~31,700 years
  if (!(seconds >= 0)) seconds = 0;
  if (seconds > kLongest) seconds = kLongest;
  if (seconds < 60) return absl::StrFormat("%.1f s", seconds);
  int64_t whole = static_cast<int64_t>(seconds);
  if (whole < 3600) return absl::StrFormat("%d min %02d s", whole / 60, whole % 60);
  return absl::StrFormat("%d h %02d min", whole / 3600, (whole % 3600) / 60);
}

}  // namespace mptest::report
