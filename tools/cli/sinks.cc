// Console lines and the results writer as event sinks (see sinks.h).
#include "tools/cli/sinks.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "glog/logging.h"

namespace mptest::cli {
namespace {

double NowSeconds() { return absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()); }

std::string Verdict(const proto::TestRunRecord& record) {
  if (!record.error().empty()) return "ERROR";
  if (record.attempts().empty()) return "?";
  const proto::TestGroupResult& last = record.attempts(record.attempts_size() - 1);
  if (!last.msg_skipped().empty()) return "SKIPPED";
  int passed = 0, failed = 0, skipped = 0, xfailed = 0;
  for (const proto::Outcome& outcome : last.outcomes()) {
    passed += outcome.outcome() == "passed";
    failed += outcome.outcome() == "failed";
    skipped += outcome.outcome() == "skipped";
    xfailed += outcome.outcome() == "xfailed";
  }
  return absl::StrCat(
      failed ? "FAILED" : "passed", " (", passed, " passed, ", failed, " failed, ", skipped,
      " skipped", xfailed ? absl::StrCat(", ", xfailed, " xfailed") : "",
      record.attempts_size() > 1 ? absl::StrCat(", ", record.attempts_size(), " attempts") : "",
      last.flaky() ? ", FLAKY" : "", ")");
}

}  // namespace

void ConsoleSink::CampaignStarted(const proto::CampaignInfo& info) {
  total_ = info.total_runs();
  start_s_ = NowSeconds();
  std::printf("mptest: %d test runs on %d tentacles (%s), %d firmware builds, results in %s\n",
              total_, info.tentacles_size(), absl::StrJoin(info.tentacles(), ", ").c_str(),
              info.builds_size(), info.results_dir().c_str());
  std::fflush(stdout);
}

void ConsoleSink::BuildFinished(const proto::BuildRecord& build) {
  std::string name =
      build.variant().empty() ? build.board() : absl::StrCat(build.board(), "-", build.variant());
  std::printf("[%6.1fs] firmware %-24s %s\n", NowSeconds() - start_s_, name.c_str(),
              !build.error().empty() ? absl::StrCat("BUILD FAILED: ", build.error()).c_str()
              : build.from_cache()
                  ? "ready (from the build cache)"
                  : absl::StrFormat("built in %.1fs", build.end_s() - build.start_s()).c_str());
  std::fflush(stdout);
}

void ConsoleSink::RunStarted(const proto::RunStart& start) {
  std::printf("[%6.1fs] start    %s on %s%s\n", NowSeconds() - start_s_, start.testid().c_str(),
              absl::StrJoin(start.tentacles(), " + ").c_str(),
              start.needs_flash() ? " (flash if needed)" : "");
  std::fflush(stdout);
}

void ConsoleSink::RunFinished(const proto::TestRunRecord& record) {
  ++done_;
  std::printf("[%6.1fs] %d/%d %s: %s%s\n", NowSeconds() - start_s_, done_, total_,
              record.testid().c_str(), Verdict(record).c_str(),
              record.error().empty() ? "" : absl::StrCat(": ", record.error()).c_str());
  std::fflush(stdout);
}

void ConsoleSink::CampaignFinished(const proto::CampaignSummary& summary) {
  std::printf(
      "\n  %-22s %6s\n  %-22s %6d\n  %-22s %6d\n  %-22s %6d\n  %-22s %6d\n  %-22s %6d\n"
      "  %-22s %6d\n  %-22s %6d\n  %-22s %6d\n",
      "summary", "", "groups run", summary.groups_run(), "groups errored", summary.groups_errored(),
      "groups skipped", summary.groups_skipped(), "tests passed", summary.tests_passed(),
      "tests failed", summary.tests_failed(), "tests skipped", summary.tests_skipped(),
      "tests xfailed", summary.tests_xfailed(), "test executions", summary.test_executions());
  for (const std::string& flaky : summary.flaky()) std::printf("  flaky: %s\n", flaky.c_str());
  for (const std::string& label : summary.quarantined()) {
    std::printf("  quarantined: %s\n", label.c_str());
  }
  std::printf("\nmptest: finished in %.1fs, exit %d; report: %s/report.html\n",
              summary.duration_s(), summary.exit_code(), summary.results_dir().c_str());
  std::fflush(stdout);
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
  if (absl::Status status = writer_->AddBuild(out); !status.ok()) LOG(ERROR) << status;
}

void ReportSink::RunFinished(const proto::TestRunRecord& record) {
  for (const proto::TestGroupResult& group : record.attempts()) {
    if (absl::Status status = writer_->AddGroup(group); !status.ok()) LOG(ERROR) << status;
  }
}

void ReportSink::CampaignFinished(const proto::CampaignSummary&) {
  if (absl::Status status = writer_->Finish(""); !status.ok()) LOG(ERROR) << status;
}

void TeeSink::CampaignStarted(const proto::CampaignInfo& info) {
  for (EventSink* sink : sinks_) sink->CampaignStarted(info);
}
void TeeSink::BuildStarted(const proto::BuildRecord& build) {
  for (EventSink* sink : sinks_) sink->BuildStarted(build);
}
void TeeSink::BuildFinished(const proto::BuildRecord& build) {
  for (EventSink* sink : sinks_) sink->BuildFinished(build);
}
void TeeSink::RunStarted(const proto::RunStart& start) {
  for (EventSink* sink : sinks_) sink->RunStarted(start);
}
void TeeSink::RunFinished(const proto::TestRunRecord& record) {
  for (EventSink* sink : sinks_) sink->RunFinished(record);
}
void TeeSink::CampaignFinished(const proto::CampaignSummary& summary) {
  for (EventSink* sink : sinks_) sink->CampaignFinished(summary);
}

}  // namespace mptest::cli
