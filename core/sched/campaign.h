// Campaign: one run of mptest over a lab. Brings the tentacles up, builds the matrix, runs the
// FirmwareBartender and TestBartender on one executor until every run is done, dropped or
// errored, tells an EventSink what happens, and returns the summary with the exit code
// (0 all passed, 1 test failures, flaky tests included, 3 infrastructure errors).
#ifndef MPTEST_CORE_SCHED_CAMPAIGN_H_
#define MPTEST_CORE_SCHED_CAMPAIGN_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/api/event_sink.h"
#include "core/proto/board.pb.h"
#include "core/proto/campaign.pb.h"
#include "core/sched/executor.h"
#include "core/sched/firmware_bartender.h"
#include "core/sched/matrix.h"
#include "core/sched/plugins.h"
#include "core/sched/test_bartender.h"

namespace mptest::sched {

struct CampaignPlan {
  std::map<std::string, proto::BoardDefinition> boards;
  std::vector<proto::TestRunSpec> specs;         // selected
  std::vector<proto::InventoryEntry> tentacles;  // selected, reference included
  std::map<std::string, std::vector<std::string>> variants_by_board;  // boards under test
  std::string reference;  // label of the reference tentacle or ""
  DurationEstimates estimates;
  bool cell_per_tentacle = false;  // every tentacle gets its own cell (the flash command)  // an
                                   // earlier campaign's durations: longest runs start first
};

struct CampaignOptions {
  BuildOptions build;
  TestBartenderOptions test;
  bool flash_skip = false;
  absl::Duration poll = absl::Milliseconds(200);  // how often the loop wakes without events
  // Polled every loop: true ends the campaign early (SIGINT): nothing new starts, running jobs
  // are ended as runaways (boards powered off first), what never ran is recorded as skipped.
  std::function<bool()> interrupted;
};

class Campaign {
 public:
  Campaign(CampaignPlan plan, CampaignOptions options, PluginSource& plugins, Executor& executor,
           EventSink& sink);

  // Runs everything. An error only when the campaign cannot start at all (a driver that cannot
  // discover its tentacles); everything later is in the summary.
  absl::StatusOr<proto::CampaignSummary> Run();

  // For tests: every record the campaign produced, in completion order.
  const std::vector<proto::TestRunRecord>& records() const { return records_; }
  const std::vector<proto::BuildRecord>& builds() const { return builds_; }

 private:
  absl::Status BringUp();
  void HandleBuild(const proto::BuildRecord& build);
  void HandleRecord(const proto::TestRunRecord& record);
  // A matrix entry that never ran: one attempt record with the error or the skip reason.
  void Dropped(const TodoEntry& entry, const std::string& error, const std::string& skipped);
  void StopTentacles();
  proto::CampaignSummary Summarize() const;

  CampaignPlan plan_;
  CampaignOptions options_;
  PluginSource& plugins_;
  Executor& executor_;
  EventSink& sink_;
  std::vector<proto::Tentacle> tentacles_;
  std::vector<std::string> not_started_;  // tentacles that failed to come up
  std::map<std::string, proto::Firmware> firmware_;
  std::unique_ptr<Matrix> matrix_;
  std::vector<proto::TestRunRecord> records_;
  std::vector<proto::BuildRecord> builds_;
  absl::Time start_;
};

}  // namespace mptest::sched

#endif  // MPTEST_CORE_SCHED_CAMPAIGN_H_
