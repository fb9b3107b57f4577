// ResultsWriter: keeps a campaign's results directory and its reports up to date as results
// arrive, so that a run killed at any moment leaves readable files; RebuildReports rewrites the
// reports from what is on disk (`mptest report`).
//
// Files (each written atomically: temp file, fsync, rename):
//   context.json                              CampaignContext (rewritten on every build/finish)
//   <attempt dir>/context_testgroup.json      TestGroupResult (at start, then at the end)
//   <attempt dir>/testresults.txt             verdict listing, unless the harness wrote one
//   results.json, junit.xml, report.md, report.html   the aggregates
#ifndef MPTEST_CORE_REPORT_RESULTS_WRITER_H_
#define MPTEST_CORE_REPORT_RESULTS_WRITER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/proto/results.pb.h"
#include "core/report/results_model.h"  // kNeverFinished

namespace mptest::report {

struct ResultsWriterOptions {
  // The aggregates (results.json, junit.xml, report.*) are rewritten at most this often while
  // results arrive; Finish() and RebuildReports() always write them. context.json and each
  // attempt's context_testgroup.json are always written at once: they are what a rebuild reads.
  absl::Duration report_interval = absl::ZeroDuration();
  // UpdateRunning rewrites them at most this often (and never more often than report_interval).
  absl::Duration running_interval = absl::Seconds(1);
};

class ResultsWriter {
 public:
  // Takes an existing (normally empty) results directory, writes context.json with
  // error = kNeverFinished and the initial (empty) reports.
  static absl::StatusOr<std::unique_ptr<ResultsWriter>> Create(absl::string_view results_dir,
                                                               proto::CampaignContext context,
                                                               ResultsWriterOptions options = {});

  // An attempt started: creates <results>/<directory_relative>/ and writes its
  // context_testgroup.json with msg_error = kNeverFinished (unless msg_error is set).
  // `group.directory_relative` must be a relative path without "..".
  absl::Status StartGroup(const proto::TestGroupResult& group);

  // An attempt ended (passed, failed, errored or skipped): rewrites its context_testgroup.json,
  // writes testresults.txt if absent, and updates the aggregates. Calling AddGroup without
  // StartGroup is fine (skipped groups never start).
  absl::Status AddGroup(const proto::TestGroupResult& group);

  // An attempt under way, with the verdicts its tests reported so far: shown in the aggregates
  // as running (`running` is set here; msg_error says it never finished, so a campaign killed
  // outright leaves it errored) until AddGroup of the same directory_relative replaces it, or
  // Finish drops it. Its context_testgroup.json is its run's to write, not this writer's.
  absl::Status UpdateRunning(const proto::TestGroupResult& group);

  // A firmware build ended (or came from the cache): stored in context.json and the timeline.
  absl::Status AddBuild(const proto::FirmwareBuild& build);

  // An extra timeline bar (flashing, power cycle, ...); builds and attempts are drawn anyway.
  absl::Status AddTimelineEntry(const proto::TimelineEntry& entry);

  // Reporter sections to include in results.json (ReporterServer's on_section callback).
  absl::Status AddSection(const proto::ReportSection& section);

  // The campaign ended: sets end time and `error` ("" = it completed) and writes everything.
  absl::Status Finish(absl::string_view error);

  // The campaign is being ended early: from now on only Finish writes the aggregates. Every
  // attempt's context_testgroup.json is still written at once, so a writer killed before
  // Finish leaves what `mptest report` rebuilds them from.
  void DeferAggregates();

  // A copy of everything so far, with the summary computed.
  proto::CampaignResults Snapshot() const;

  const std::string& results_dir() const { return results_dir_; }

 private:
  ResultsWriter(std::string results_dir, proto::CampaignContext context,
                ResultsWriterOptions options);
  absl::Status WriteContextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Writes the aggregates unless they were written less than `interval` ago (or are deferred).
  absl::Status MaybeWriteAggregatesLocked(absl::Duration interval)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  absl::Status WriteAggregatesLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  proto::CampaignResults SnapshotLocked() const ABSL_SHARED_LOCKS_REQUIRED(mutex_);

  const std::string results_dir_;
  const ResultsWriterOptions options_;
  mutable absl::Mutex mutex_;
  proto::CampaignContext context_ ABSL_GUARDED_BY(mutex_);
  // Keyed by directory_relative; ordered for stable reports.
  std::vector<proto::TestGroupResult> groups_ ABSL_GUARDED_BY(mutex_);
  // The attempts under way (UpdateRunning) that groups_ does not have yet, the same way.
  std::vector<proto::TestGroupResult> running_ ABSL_GUARDED_BY(mutex_);
  std::vector<proto::ReportSection> sections_ ABSL_GUARDED_BY(mutex_);
  absl::Time last_aggregate_write_ ABSL_GUARDED_BY(mutex_) = absl::InfinitePast();
  bool aggregates_deferred_ ABSL_GUARDED_BY(mutex_) = false;
};

// Writes results.json, junit.xml, report.md and report.html of `results` into `results_dir`.
absl::Status WriteAggregates(absl::string_view results_dir, const proto::CampaignResults& results);

// Reads <results_dir>/context.json and every <attempt>/context_testgroup.json below it (an
// attempt killed before its end keeps msg_error "Test never finished..."; if its _results.json
// exists, its verdicts are taken from there) and rewrites the aggregates. Temporary files that a
// writer killed mid-write left behind are removed. What `mptest report` calls. Errors name the
// file and what is wrong in it.
absl::Status RebuildReports(absl::string_view results_dir);

// Loads a results directory the same way, without writing anything.
absl::StatusOr<proto::CampaignResults> LoadResultsDirectory(absl::string_view results_dir);

}  // namespace mptest::report

#endif  // MPTEST_CORE_REPORT_RESULTS_WRITER_H_
