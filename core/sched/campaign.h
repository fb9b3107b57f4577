// Campaign: one run of mptest over a lab. Brings the tentacles up, builds the matrix, runs the
// FirmwareBartender and TestBartender on one executor until every run is done, dropped or
// errored, tells an EventSink what happens, and returns the summary with the exit code
// (0 all passed, 1 test failures, flaky tests included, 3 infrastructure errors). Each clean
// run's duration orders the runs still waiting (Matrix::Observe) and, at the end, is merged
// into the run-time history in the cache directory for the next campaign.
#ifndef MPTEST_CORE_SCHED_CAMPAIGN_H_
#define MPTEST_CORE_SCHED_CAMPAIGN_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/api/event_sink.h"
#include "core/bus/event_bus.h"
#include "core/proto/board.pb.h"
#include "core/proto/campaign.pb.h"
#include "core/sched/duration_history.h"
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
  // Earlier campaigns' durations: longest runs start first. Empty = the run-time history in
  // <options.build.cache_dir>/durations.tsv (none without a cache directory).
  DurationEstimates estimates;
  // Every tentacle gets its own cell (the flash command); such campaigns neither read nor write
  // the run-time history.
  bool cell_per_tentacle = false;
};

struct CampaignOptions {
  BuildOptions build;
  TestBartenderOptions test;
  bool flash_skip = false;
  absl::Duration poll = absl::Milliseconds(200);  // how often the loop wakes without events
  // How often the sink hears of the attempts under way (AttemptProgressed) and of the time
  // left (RemainingEstimate): each costs O(verdicts) or O(cells), so not on every wake-up.
  absl::Duration progress_interval = absl::Seconds(1);
  // The deadline of each board-driver call the campaign makes itself (Discover, Start, Stop),
  // each in a supervised child: a hung one costs its tentacles, not the campaign.
  absl::Duration driver_call_deadline = absl::Seconds(60);
  // Polled every loop: true ends the campaign early (SIGINT): nothing new starts, running jobs
  // are ended as runaways (boards powered off first), what never ran is recorded as skipped.
  std::function<bool()> interrupted;
  // Polled every loop once the campaign is stopping: true (a second SIGINT) ends it faster:
  // the jobs still running are killed at once, without the grace (Executor::KillAll); boards
  // are still powered off and every record still written.
  std::function<bool()> hurry;
  // The bus the executor publishes its jobs' events on (ProcessExecutor's `bus`), or nullptr:
  // the test runs' per-test reports go to the sink (TestReported) as they arrive, and a run
  // killed or crashed keeps the verdicts it reported.
  bus::EventBus* bus = nullptr;
  // Polled every loop: a non-empty answer is a host error (the results directory cannot be
  // written) that ends the campaign as `interrupted` does, reported as CampaignSummary.host_error.
  std::function<std::string()> host_error;
  // Called on the campaign's thread after every wait for its jobs, stopping or not: serves the
  // descriptors the caller gave the executor (Executor::WakeOn), such as the reporter's socket.
  std::function<void()> after_wait;
};

// The matrix of `plan` over `tentacles` (the plan's own, or those of them that came up), as
// the campaign runs it; `mptest list-tests` lists the same cells.
std::unique_ptr<Matrix> MakeMatrix(const CampaignPlan& plan,
                                   const std::vector<proto::InventoryEntry>& tentacles,
                                   DurationEstimates estimates = {});

// Makes `plan` the flash command's: every selected tentacle gets its own cell and is flashed
// (flash_force) with one variant of its board, the first or, with `last_variant`, the last,
// whatever the board's features; the one test kind, FLASH, runs `flash_harness` (no tests).
void MakeFlashPlan(const std::string& flash_harness, bool last_variant, CampaignPlan* plan);

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
  // Runs one board-driver call in a supervised job with `deadline` and waits for it: a crash,
  // hang or exit of the plugin is an error naming `name` ("plugin 'x' Start on <label>"), not
  // the campaign's end. SIGINT/SIGTERM (options.interrupted) cancels it when `interruptible`
  // (Discover, Start); Stop, which powers boards off, runs to its end or deadline (after a
  // signal StopTentacles calls Stop directly).
  absl::StatusOr<std::string> CallSupervised(const std::string& name, absl::Duration deadline,
                                             bool interruptible,
                                             std::function<absl::StatusOr<std::string>()> call);
  void HandleBuild(const proto::BuildRecord& build);
  void HandleRecord(const proto::TestRunRecord& record);
  // A test run's job ended: a clean one-attempt run's duration goes to the matrix and history.
  void ObserveDuration(const proto::TestRunRecord& record, const JobDone& done);
  // The history file to read and write, or "" for none.
  std::string HistoryPath() const;
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
  std::map<std::string, std::string> not_started_;  // label -> why it failed to come up
  std::map<std::string, proto::Firmware> firmware_;
  std::unique_ptr<Matrix> matrix_;
  std::vector<proto::TestRunRecord> records_;
  std::vector<proto::BuildRecord> builds_;
  DurationHistory durations_;     // this campaign's clean runs
  std::string build_host_error_;  // the first build that failed for the host's fault
  absl::Time start_;
};

}  // namespace mptest::sched

#endif  // MPTEST_CORE_SCHED_CAMPAIGN_H_
