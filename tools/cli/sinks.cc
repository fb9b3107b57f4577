// Console lines and the results writer as event sinks (see sinks.h).
#include "tools/cli/sinks.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "core/proto/board_variant.h"
#include "glog/logging.h"

namespace mptest::cli {
namespace {

double NowSeconds() { return absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()); }

// The lane of a running build on the status line ("build: RPI_PICO2-RISCV 40s make 120").
constexpr char kBuildLane[] = "build";

}  // namespace

void ConsoleSink::SetLanes(const std::vector<std::string>& lanes, const std::string& activity) {
  for (report::LaneActivity& lane : state_.lanes) {
    if (std::find(lanes.begin(), lanes.end(), lane.lane) != lanes.end()) {
      lane.activity = activity;
      lane.since_s = NowSeconds() - start_s_;
      lane.test_index = lane.test_total = 0;
      lane.detail.clear();
    }
  }
}

void ConsoleSink::CampaignStarted(const proto::CampaignInfo& info) {
  start_s_ = NowSeconds();
  state_.total = info.total_runs();
  for (const std::string& tentacle : info.tentacles()) {
    report::LaneActivity& lane = state_.lanes.emplace_back();
    lane.lane = tentacle;
  }
  writer_->Line(
      0, report::LineKind::kInfo,
      absl::StrCat(info.total_runs(), " test runs on ", info.tentacles_size(), " tentacles (",
                   absl::StrJoin(info.tentacles(), ", "), "), ", info.builds_size(),
                   " firmware builds, results in ", info.results_dir()));
  writer_->Update(state_);
}

void ConsoleSink::BuildStarted(const proto::BuildRecord& build) {
  report::LaneActivity lane;
  lane.lane = kBuildLane;
  lane.activity = BoardVariantName(build.board(), build.variant());
  lane.since_s = NowSeconds() - start_s_;
  state_.lanes.push_back(std::move(lane));
  writer_->Update(state_);
}

void ConsoleSink::BuildProgress(const proto::BuildEvent& event) {
  const std::string name = BoardVariantName(event.board(), event.variant());
  const proto::BuildProgress& progress = event.progress();
  for (report::LaneActivity& lane : state_.lanes) {
    if (lane.lane != kBuildLane || lane.activity != name) continue;
    lane.detail = progress.step();
    if (progress.done() > 0 || progress.total() > 0) {
      absl::StrAppend(&lane.detail, " ", progress.done());
      if (progress.total() > 0) absl::StrAppend(&lane.detail, " of ", progress.total());
      if (!progress.unit().empty()) absl::StrAppend(&lane.detail, " ", progress.unit());
    }
  }
  writer_->Update(state_);
}

void ConsoleSink::BuildFinished(const proto::BuildRecord& build) {
  const std::string name = BoardVariantName(build.board(), build.variant());
  state_.lanes.erase(std::remove_if(state_.lanes.begin(), state_.lanes.end(),
                                    [&name](const report::LaneActivity& lane) {
                                      return lane.lane == kBuildLane && lane.activity == name;
                                    }),
                     state_.lanes.end());
  bool failed = !build.error().empty();
  writer_->Line(
      NowSeconds() - start_s_, failed ? report::LineKind::kError : report::LineKind::kInfo,
      failed ? absl::StrCat("firmware ", name, ": BUILD FAILED: ", build.error())
      : build.from_cache()
          ? absl::StrCat("firmware ", name, ": from the build cache")
          : absl::StrFormat("firmware %s: built in %.1f s", name, build.end_s() - build.start_s()));
  writer_->Update(state_);
}

void ConsoleSink::RunStarted(const proto::RunStart& start) {
  SetLanes({start.tentacles().begin(), start.tentacles().end()}, start.testid());
  writer_->Update(state_);
}

void ConsoleSink::TestReported(const proto::TestEvent& event) {
  const proto::TestProgress& progress = event.progress();
  for (report::LaneActivity& lane : state_.lanes) {
    if (lane.lane != event.tentacle() || lane.activity.empty()) continue;
    if (std::string& attempt = lane_attempts_[lane.lane]; attempt != event.attempt()) {
      attempt = event.attempt();  // a retry counts from its start
      lane.test_index = 0;
    }
    // Tests may end out of order (several at once on the unix port): the furthest one counts.
    if (progress.index() > 0) lane.test_index = std::max(lane.test_index, progress.index());
    if (progress.total() > 0) lane.test_total = progress.total();
  }
  writer_->Update(state_);
}

void ConsoleSink::RunFinished(const proto::TestRunRecord& record) {
  SetLanes({record.tentacles().begin(), record.tentacles().end()}, "");
  state_.total += std::max(0, record.attempts_size() - 1);
  for (const proto::TestGroupResult& group : record.attempts()) {
    ++state_.done;
    if (!group.msg_error().empty()) {
      ++state_.errored;
    } else {
      for (const proto::Outcome& outcome : group.outcomes()) {
        if (outcome.outcome() == proto::Outcome::failed) {
          ++state_.failed;
          break;
        }
      }
    }
    state_.elapsed_s = NowSeconds() - start_s_;
    writer_->GroupDone(state_, group);
  }
  writer_->Update(state_);
}

void ConsoleSink::Alert(const std::string& text) {
  writer_->Line(NowSeconds() - start_s_, report::LineKind::kError, text);
  writer_->Update(state_);
}

void ConsoleSink::RemainingEstimate(double seconds) {
  state_.scheduler_remaining_s = seconds;  // drawn at the next Tick, a moment later
}

void ConsoleSink::Tick(double) {
  state_.elapsed_s = NowSeconds() - start_s_;
  writer_->Update(state_);
}

void ConsoleSink::CampaignFinished(const proto::CampaignSummary& summary) {
  writer_->Summary(results_->Snapshot(), absl::StrCat(summary.results_dir(), "/report.html"));
  for (const std::string& flaky : summary.flaky()) {
    writer_->Line(summary.duration_s(), report::LineKind::kFailed, absl::StrCat("flaky: ", flaky));
  }
  for (const std::string& label : summary.quarantined()) {
    writer_->Line(summary.duration_s(), report::LineKind::kError,
                  absl::StrCat("quarantined: ", label));
  }
  if (summary.interrupted()) {
    writer_->Line(summary.duration_s(), report::LineKind::kError,
                  absl::StrCat("ended early: ",
                               end_reason_.empty() ? "interrupted (SIGINT/SIGTERM)" : end_reason_));
  }
  writer_->Line(
      summary.duration_s(), report::LineKind::kInfo,
      absl::StrFormat("finished in %.1f s, exit %d (%d test executions); report: %s/report.html",
                      summary.duration_s(), summary.exit_code(), summary.test_executions(),
                      summary.results_dir()));
}

void ReportSink::BuildFinished(const proto::BuildRecord& build) {
  proto::FirmwareBuild out;
  out.set_board(build.board());
  out.set_variant(build.variant());
  out.set_start_s(build.start_s());
  out.set_end_s(build.end_s());
  out.set_cached(build.from_cache());
  out.set_error(build.error());
  out.set_log(build.firmware().build_log());
  out.set_firmware(build.firmware().path());
  out.set_version(build.firmware().version());
  out.set_source_revision(build.firmware().source_revision());
  Note(writer_->AddBuild(out));
}

void ReportSink::QueueSection(const proto::ReportSection& section) {
  std::lock_guard<std::mutex> lock(sections_mutex_);
  sections_.push_back(section);
}

void ReportSink::AddQueuedSections() {
  std::vector<proto::ReportSection> sections;
  {
    std::lock_guard<std::mutex> lock(sections_mutex_);
    sections.swap(sections_);
  }
  for (const proto::ReportSection& section : sections) Note(writer_->AddSection(section));
}

void ReportSink::Tick(double) { AddQueuedSections(); }

void ReportSink::AttemptProgressed(const proto::TestGroupResult& attempt) {
  Note(attempt.running() ? writer_->UpdateRunning(attempt) : writer_->AddGroup(attempt));
}

void ReportSink::RunFinished(const proto::TestRunRecord& record) {
  AddQueuedSections();  // what the run's harness sent, with its groups
  // The DUT was flashed in the last attempt that started before the flash did (the first one,
  // or the one after an infrastructure error): that attempt carries the timeline's flash bar.
  int flashed_in = -1;
  if (record.flash_end_s() > 0) {
    for (int i = 0; i < record.attempts_size(); ++i) {
      if (record.attempts(i).start_s() <= record.flash_start_s()) flashed_in = i;
    }
  }
  for (int i = 0; i < record.attempts_size(); ++i) {
    proto::TestGroupResult group = record.attempts(i);
    if (i == flashed_in) {
      group.set_flash_start_s(record.flash_start_s());
      group.set_flash_end_s(record.flash_end_s());
    }
    Note(writer_->AddGroup(group));
  }
}

void ReportSink::Abort(const std::string& error) {
  AddQueuedSections();
  Note(writer_->Finish(error));
}

void ReportSink::CampaignFinished(const proto::CampaignSummary& summary) {
  AddQueuedSections();
  if (!summary.interrupted()) {
    Note(writer_->Finish(""));
  } else {
    Note(writer_->Finish(end_reason_.empty() ? "interrupted (SIGINT/SIGTERM)" : end_reason_));
  }
}

void ReportSink::Note(const absl::Status& status) {
  if (status.ok()) return;
  LOG(ERROR) << status;
  if (write_error_.ok()) write_error_ = status;
}

void TeeSink::CampaignStarted(const proto::CampaignInfo& info) {
  for (EventSink* sink : sinks_) sink->CampaignStarted(info);
}
void TeeSink::BuildStarted(const proto::BuildRecord& build) {
  for (EventSink* sink : sinks_) sink->BuildStarted(build);
}

void TeeSink::BuildProgress(const proto::BuildEvent& event) {
  for (EventSink* sink : sinks_) sink->BuildProgress(event);
}
void TeeSink::BuildFinished(const proto::BuildRecord& build) {
  for (EventSink* sink : sinks_) sink->BuildFinished(build);
}
void TeeSink::RunStarted(const proto::RunStart& start) {
  for (EventSink* sink : sinks_) sink->RunStarted(start);
}
void TeeSink::TestReported(const proto::TestEvent& event) {
  for (EventSink* sink : sinks_) sink->TestReported(event);
}
void TeeSink::AttemptProgressed(const proto::TestGroupResult& running) {
  for (EventSink* sink : sinks_) sink->AttemptProgressed(running);
}
void TeeSink::RunFinished(const proto::TestRunRecord& record) {
  for (EventSink* sink : sinks_) sink->RunFinished(record);
}
void TeeSink::CampaignFinished(const proto::CampaignSummary& summary) {
  for (EventSink* sink : sinks_) sink->CampaignFinished(summary);
}
void TeeSink::CampaignStopping() {
  for (EventSink* sink : sinks_) sink->CampaignStopping();
}
void TeeSink::Tick(double now_s) {
  for (EventSink* sink : sinks_) sink->Tick(now_s);
}

void TeeSink::RemainingEstimate(double seconds) {
  for (EventSink* sink : sinks_) sink->RemainingEstimate(seconds);
}

}  // namespace mptest::cli
