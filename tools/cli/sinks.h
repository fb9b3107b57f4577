// What the CLI does with the campaign's events: plain console lines (until core/report's live
// console lands) and the results directory's files through core/report's ResultsWriter.
#ifndef MPTEST_TOOLS_CLI_SINKS_H_
#define MPTEST_TOOLS_CLI_SINKS_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/api/event_sink.h"
#include "core/report/console.h"
#include "core/report/results_writer.h"

namespace mptest::cli {

// The console through core/report's ConsoleWriter: a live status line on a terminal (what runs
// on each tentacle, done/total, elapsed and an estimate), plain lines otherwise, and the summary
// table from the results writer's snapshot at the end.
class ConsoleSink : public EventSink {
 public:
  ConsoleSink(report::ConsoleWriter* writer, const report::ResultsWriter* results)
      : writer_(writer), results_(results) {}
  void CampaignStarted(const proto::CampaignInfo& info) override;
  // Each running build has a "build" lane: its board-variant and the step its builder reports.
  void BuildStarted(const proto::BuildRecord& build) override;
  void BuildProgress(const proto::BuildEvent& event) override;
  void BuildFinished(const proto::BuildRecord& build) override;
  void RunStarted(const proto::RunStart& start) override;
  // The DUT's lane shows "test N of M" (on a terminal's status line).
  void TestReported(const proto::TestEvent& event) override;
  void RunFinished(const proto::TestRunRecord& record) override;
  void CampaignFinished(const proto::CampaignSummary& summary) override;
  void Tick(double now_s) override;
  void RemainingEstimate(double seconds) override;
  // Why the campaign is being ended early (a USB error), for the summary; "" = a signal.
  void SetEndReason(const std::string& reason) { end_reason_ = reason; }
  // A line about the campaign itself (a USB error, a warning), above the status line.
  void Alert(const std::string& text);

 private:
  void SetLanes(const std::vector<std::string>& lanes, const std::string& activity);
  report::ConsoleWriter* writer_;
  const report::ResultsWriter* results_;
  report::ConsoleState state_;
  std::map<std::string, std::string> lane_attempts_;  // the attempt each lane's progress counts
  double start_s_ = 0;
  std::string end_reason_;
};

// Feeds core/report's ResultsWriter.
class ReportSink : public EventSink {
 public:
  explicit ReportSink(std::unique_ptr<report::ResultsWriter> writer) : writer_(std::move(writer)) {}
  const report::ResultsWriter* writer() const { return writer_.get(); }
  // The first error writing the results directory (a full disk), or OK: mptest then exits 3.
  const absl::Status& write_error() const { return write_error_; }
  // The campaign could not start: the results directory says why.
  void Abort(const std::string& error);
  // A reporter section, from the ReporterServer's thread: kept here and written to results.json
  // on the campaign's thread (the next Tick, a run's end, the campaign's end), so that the
  // server's thread takes no lock a child forked meanwhile could need (glog's, protobuf's).
  void QueueSection(const proto::ReportSection& section);
  void Tick(double now_s) override;
  void BuildFinished(const proto::BuildRecord& build) override;
  // The live view of an attempt under way: results.json and the reports show it as running;
  // one that ended before its run did (retried) shows as it ended.
  void AttemptProgressed(const proto::TestGroupResult& attempt) override;
  void RunFinished(const proto::TestRunRecord& record) override;
  void CampaignFinished(const proto::CampaignSummary& summary) override;
  // Until CampaignFinished the aggregates wait: each dropped or killed run would rewrite them.
  void CampaignStopping() override { writer_->DeferAggregates(); }
  // Why the campaign is being ended early (a USB error): the campaign's error in context.json
  // and the reports. "" = a signal.
  void SetEndReason(const std::string& reason) { end_reason_ = reason; }

 private:
  void Note(const absl::Status& status);
  void AddQueuedSections();

  std::unique_ptr<report::ResultsWriter> writer_;
  std::mutex sections_mutex_;
  std::vector<proto::ReportSection> sections_;  // queued by QueueSection
  absl::Status write_error_;
  std::string end_reason_;
};

// Forwards to several sinks in order.
class TeeSink : public EventSink {
 public:
  explicit TeeSink(std::vector<EventSink*> sinks) : sinks_(std::move(sinks)) {}
  void CampaignStarted(const proto::CampaignInfo& info) override;
  void BuildStarted(const proto::BuildRecord& build) override;
  void BuildProgress(const proto::BuildEvent& event) override;
  void BuildFinished(const proto::BuildRecord& build) override;
  void RunStarted(const proto::RunStart& start) override;
  void TestReported(const proto::TestEvent& event) override;
  void AttemptProgressed(const proto::TestGroupResult& running) override;
  void RunFinished(const proto::TestRunRecord& record) override;
  void CampaignFinished(const proto::CampaignSummary& summary) override;
  void CampaignStopping() override;
  void Tick(double now_s) override;
  void RemainingEstimate(double seconds) override;

 private:
  std::vector<EventSink*> sinks_;
};

}  // namespace mptest::cli

#endif  // MPTEST_TOOLS_CLI_SINKS_H_
