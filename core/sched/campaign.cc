// Campaign: the scheduler's main loop (see campaign.h).
#include "core/sched/campaign.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/report/atomic_file.h"
#include "core/sched/config.h"
#include "core/sched/descriptor_reserve.h"
#include "core/sched/record_io.h"
#include "glog/logging.h"

namespace mptest::sched {
namespace {

double Seconds(absl::Time time) { return absl::ToDoubleSeconds(time - absl::UnixEpoch()); }

}  // namespace

Campaign::Campaign(CampaignPlan plan, CampaignOptions options, PluginSource& plugins,
                   Executor& executor, EventSink& sink)
    : plan_(std::move(plan)),
      options_(std::move(options)),
      plugins_(plugins),
      executor_(executor),
      sink_(sink) {
  if (options_.test.run.cache_dir.empty()) options_.test.run.cache_dir = options_.build.cache_dir;
}

absl::StatusOr<std::string> Campaign::CallSupervised(
    const std::string& name, absl::Duration deadline, bool interruptible,
    std::function<absl::StatusOr<std::string>()> call) {
  JobSpec job;
  job.name = name;
  job.deadline = deadline;
  job.work = [call = std::move(call)]() {
    absl::StatusOr<std::string> answer = call();
    proto::PluginCallResult result;
    if (answer.ok()) {
      result.set_response(*answer);
    } else {
      result.set_code(static_cast<int>(answer.status().code()));
      result.set_error(std::string(answer.status().message()));
    }
    return result.SerializeAsString();
  };
  // Only before the campaign's loop starts jobs or after it has waited for all of them: no
  // other job's end can arrive here and be lost.
  DCHECK_EQ(executor_.running(), 0) << name;
  const int id = executor_.Start(std::move(job));
  bool cancelled = false;
  for (;;) {
    if (interruptible && !cancelled && options_.interrupted && options_.interrupted()) {
      executor_.CancelAll();
      cancelled = true;
    }
    std::vector<JobDone> finished = executor_.Wait(options_.poll);
    if (options_.after_wait) options_.after_wait();
    for (const JobDone& done : finished) {
      if (done.id != id) continue;  // none: see the DCHECK above
      proto::PluginCallResult result;
      if (done.status != JobDone::Status::kOk || !result.ParseFromString(done.payload)) {
        // The executor's detail names the job ("<name>: call 1 of '<name>' (pid N) was killed
        // by SIGSEGV"); the call's name is enough once.
        std::string detail = done.detail;
        const std::string quoted = absl::StrCat("'", name, "' ");
        if (size_t at = detail.find(quoted); at != std::string::npos) {
          detail = absl::StrCat(name, " ", detail.substr(at + quoted.size()));
        }
        return absl::UnavailableError(
            detail.empty() ? absl::StrCat(name, ": the call sent no result") : detail);
      }
      if (result.code() != 0) {
        return absl::Status(static_cast<absl::StatusCode>(result.code()), result.error());
      }
      return result.response();
    }
  }
}

absl::Status Campaign::BringUp() {
  if (executor_.remote()) {
    // Each run's worker brings its tentacles up on their host, and stops them. The tentacles of
    // a host that takes no job now are left out (a request for it would wait for ever).
    absl::StatusOr<std::map<std::string, std::string>> unusable = executor_.UnusableHosts();
    if (!unusable.ok()) return unusable.status();
    for (const proto::InventoryEntry& entry : plan_.tentacles) {
      proto::Tentacle tentacle;
      *tentacle.mutable_entry() = entry;
      *tentacle.mutable_board() = plan_.boards.at(entry.board());
      if (auto host = unusable->find(entry.host()); host != unusable->end()) {
        LOG(ERROR) << entry.label() << ": " << host->second;
        not_started_[entry.label()] = host->second;
      }
      tentacles_.push_back(std::move(tentacle));
    }
    return absl::OkStatus();
  }
  std::map<std::string, proto::Inventory> by_type;
  for (const proto::InventoryEntry& entry : plan_.tentacles) {
    *by_type[entry.type()].add_tentacles() = entry;
  }
  std::map<std::string, proto::Tentacle> found;
  std::map<std::string, std::string> lost;  // label -> why Discover did not give it
  for (const auto& [type, inventory] : by_type) {
    absl::StatusOr<BoardDriver*> driver = plugins_.GetDriver(type);
    if (!driver.ok()) return driver.status();
    proto::DiscoverRequest request;
    *request.mutable_inventory() = inventory;
    for (const auto& [name, board] : plan_.boards) *request.add_boards() = board;
    request.set_state_dir(absl::StrCat(options_.test.results_dir, "/tentacles"));
    if (!options_.build.cache_dir.empty()) {
      request.set_persist_dir(absl::StrCat(options_.build.cache_dir, "/tentacles"));
    }
    if (absl::Status status = MakeDirs(request.state_dir()); !status.ok()) return status;
    BoardDriver* discoverer = *driver;
    absl::StatusOr<std::string> answer = CallSupervised(
        absl::StrCat("plugin '", type, "' Discover"), options_.driver_call_deadline,
        /*interruptible=*/true, [discoverer, request]() -> absl::StatusOr<std::string> {
          absl::StatusOr<proto::DiscoverResponse> response = discoverer->Discover(request);
          if (!response.ok()) return response.status();
          return response->SerializeAsString();
        });
    proto::DiscoverResponse response;
    if (!answer.ok() || !response.ParseFromString(*answer)) {
      // The tentacles of this type are lost; the others go on.
      const std::string why = absl::StrCat(
          "tentacle type '", type,
          "': ", answer.ok() ? "Discover's answer does not parse" : answer.status().message());
      LOG(ERROR) << why;
      for (const proto::InventoryEntry& entry : inventory.tentacles()) lost[entry.label()] = why;
      continue;
    }
    for (const proto::Tentacle& tentacle : response.tentacles()) {
      found[tentacle.entry().label()] = tentacle;
    }
  }
  for (const proto::InventoryEntry& entry : plan_.tentacles) {
    auto it = found.find(entry.label());
    proto::Tentacle tentacle;
    if (it != found.end()) {
      tentacle = it->second;
    } else {
      *tentacle.mutable_entry() = entry;
      not_started_[entry.label()] =
          lost.count(entry.label())
              ? lost[entry.label()]
              : absl::StrCat("its driver '", entry.type(), "' did not discover it");
    }
    if (!tentacle.has_board()) *tentacle.mutable_board() = plan_.boards.at(entry.board());
    if (it != found.end()) {
      BoardDriver* driver = *plugins_.GetDriver(entry.type());
      absl::StatusOr<std::string> answer = CallSupervised(
          absl::StrCat("plugin '", entry.type(), "' Start on ", entry.label()),
          options_.driver_call_deadline,
          /*interruptible=*/true, [driver, tentacle]() -> absl::StatusOr<std::string> {
            absl::StatusOr<proto::Tentacle> started = driver->Start(tentacle);
            if (!started.ok()) return started.status();
            return started->SerializeAsString();
          });
      proto::Tentacle started;
      if (answer.ok() && started.ParseFromString(*answer)) {
        tentacle = started;
      } else if (!answer.ok() && IsHostResourceError(answer.status().message())) {
        // The host's failure, not the board's: the campaign cannot start (exit 3, no quarantine).
        ReleaseReservedDescriptors();
        tentacles_.push_back(tentacle);  // stopped with the others
        return absl::ResourceExhaustedError(absl::StrCat(
            "tentacle ", entry.label(), ": cannot start: ", answer.status().message()));
      } else {
        LOG(ERROR) << entry.label() << ": cannot start: " << answer.status();
        not_started_[entry.label()] = absl::StrCat("cannot start: ", answer.status().message());
      }
    }
    tentacles_.push_back(tentacle);
  }
  return absl::OkStatus();
}

void Campaign::StopTentacles() {
  if (executor_.remote()) return;  // see BringUp
  for (const proto::Tentacle& tentacle : tentacles_) {
    if (not_started_.count(tentacle.entry().label()) &&
        tentacle.runtime().empty()) {  // never discovered: nothing to stop
      continue;
    }
    absl::StatusOr<BoardDriver*> driver = plugins_.GetDriver(tentacle.entry().type());
    if (!driver.ok()) continue;
    BoardDriver* stopper = *driver;
    if (options_.interrupted && options_.interrupted()) {
      // After a signal the boards go off at once, from here: no new child, and nothing an
      // abandoned inline run still does in this process gets time to write more.
      if (absl::Status status = stopper->Stop(tentacle); !status.ok()) LOG(WARNING) << status;
      continue;
    }
    absl::StatusOr<std::string> stopped = CallSupervised(
        absl::StrCat("plugin '", tentacle.entry().type(), "' Stop on ", tentacle.entry().label()),
        options_.driver_call_deadline, /*interruptible=*/false,
        [stopper, tentacle]() -> absl::StatusOr<std::string> {
          absl::Status status = stopper->Stop(tentacle);
          if (!status.ok()) return status;
          return std::string();
        });
    if (!stopped.ok()) LOG(WARNING) << stopped.status();
  }
}

void Campaign::Dropped(const TodoEntry& entry, const std::string& error,
                       const std::string& skipped) {
  const proto::TestRunSpec& spec = matrix_->specs()[entry.spec];
  std::string serial4 = "----";
  std::string label;
  for (const TentacleSlot& slot : matrix_->tentacles()) {
    if (slot.board == entry.board) {
      serial4 = slot.serial4;
      label = slot.label;
      break;
    }
  }
  proto::TestRunRecord record;
  record.set_testid(MakeTestId(spec.label(), serial4, entry.board, entry.variant, entry.role));
  record.set_label(spec.label());
  record.set_board(entry.board);
  record.set_variant(entry.variant);
  record.set_role(entry.role);
  record.set_error(error);
  double now = Seconds(executor_.Now());
  record.set_start_s(now);
  record.set_end_s(now);
  proto::TestGroupResult* group = record.add_attempts();
  group->set_directory_relative(absl::StrCat(record.testid(), ",a"));
  group->set_testgroup(spec.label());
  group->set_testid(record.testid());
  group->set_attempt("a");
  group->set_board(entry.board);
  group->set_variant(entry.variant);
  group->set_tentacle(label);
  group->set_tentacle_variant(entry.variant.empty() ? label
                                                    : absl::StrCat(label, "-", entry.variant));
  group->set_tentacle_variant_role(entry.role);
  group->set_msg_error(error);
  group->set_msg_skipped(skipped);
  group->set_start_s(now);
  group->set_end_s(now);
  group->set_time_start(AnchorTime(executor_.Now()));
  group->set_time_end(group->time_start());
  std::string dir = absl::StrCat(options_.test.results_dir, "/", group->directory_relative());
  if (MakeDirs(dir).ok()) (void)WriteJsonAtomically(dir + "/context_testgroup.json", *group);
  HandleRecord(record);
}

void Campaign::HandleBuild(const proto::BuildRecord& build) {
  builds_.push_back(build);
  std::string name = BoardVariantName(build.board(), build.variant());
  if (build.error().empty()) {
    firmware_[name] = build.firmware();
    matrix_->SetFirmwareReady(build.board(), build.variant());
    std::string dir = absl::StrCat(options_.test.results_dir, "/mpbuild/", name);
    if (MakeDirs(dir).ok()) {
      (void)report::WriteFileAtomically(
          dir + "/firmware.spec",
          absl::StrCat("board_variant=", name, "\nmicropython_full_version_text=",
                       build.firmware().version(), "\nfilename=", build.firmware().path(),
                       "\nfrom_cache=", build.from_cache() ? "true" : "false", "\n"));
    }
  } else if (IsHostResourceError(build.error())) {
    // The host's failure (a full disk, no descriptors left), not the board's: it ends the
    // campaign, and the runs that wait for this firmware are skipped with the rest.
    LOG(ERROR) << "firmware " << name << ": " << build.error();
    if (build_host_error_.empty()) build_host_error_ = absl::StrCat(name, ": ", build.error());
  } else {
    LOG(ERROR) << "firmware " << name << ": " << build.error();
    for (const TodoEntry& entry : matrix_->DropFirmware(build.board(), build.variant())) {
      Dropped(entry, absl::StrCat("firmware build for ", name, " failed: ", build.error()), "");
    }
  }
  sink_.BuildFinished(build);
}

void Campaign::HandleRecord(const proto::TestRunRecord& record) {
  records_.push_back(record);
  sink_.RunFinished(record);
}

std::string Campaign::HistoryPath() const {
  return plan_.cell_per_tentacle ? "" : DurationHistoryPath(options_.build.cache_dir);
}

void Campaign::ObserveDuration(const proto::TestRunRecord& record, const JobDone& done) {
  // Retries, --count repeats, skipped groups and errors say little about the next clean run.
  if (done.status != JobDone::Status::kOk || !record.error().empty() ||
      record.attempts_size() != 1 || !record.attempts(0).msg_error().empty() ||
      !record.attempts(0).msg_skipped().empty() || !record.attempts(0).msg_interrupted().empty()) {
    return;
  }
  // Flashing is the schedule's cost (the tentacle held other firmware), not the cell's: the
  // next campaign may find the board already flashed.
  double seconds = absl::ToDoubleSeconds(done.end - done.start) -
                   std::max(0.0, record.flash_end_s() - record.flash_start_s());
  if (!(seconds > 0)) return;
  matrix_->Observe(record.label(), seconds);
  durations_.Record(record.label(), record.board(), record.variant(), seconds);
}

void MakeFlashPlan(const std::string& flash_harness, bool last_variant, CampaignPlan* plan) {
  for (auto& [board, variants] : plan->variants_by_board) {
    variants = {last_variant ? variants.back() : variants.front()};
  }
  plan->cell_per_tentacle = true;
  plan->specs.clear();
  proto::TestRunSpec flash;
  flash.set_label("FLASH");
  flash.set_harness(flash_harness);  // no fut: every board (see Matrix)
  flash.set_timeout_s(60);
  flash.set_tentacles(1);
  plan->specs.push_back(flash);
}

std::unique_ptr<Matrix> MakeMatrix(const CampaignPlan& plan,
                                   const std::vector<proto::InventoryEntry>& tentacles,
                                   DurationEstimates estimates) {
  std::vector<TentacleSlot> slots;
  int reference = -1;
  for (const proto::InventoryEntry& entry : tentacles) {
    TentacleSlot slot;
    slot.label = entry.label();
    slot.serial4 = Serial4(entry);
    slot.board = entry.board();
    slot.variants = TentacleVariants(plan.boards.at(slot.board), entry);
    if (slot.label == plan.reference) reference = static_cast<int>(slots.size());
    slots.push_back(std::move(slot));
  }
  std::map<std::string, std::vector<std::string>> features;
  for (const auto& [name, board] : plan.boards) {
    features[name] = {board.features().begin(), board.features().end()};
  }
  return std::make_unique<Matrix>(plan.specs, std::move(slots), plan.variants_by_board, features,
                                  reference, std::move(estimates), plan.cell_per_tentacle);
}

absl::StatusOr<proto::CampaignSummary> Campaign::Run() {
  start_ = executor_.Now();
  if (absl::Status status = BringUp(); !status.ok()) {
    StopTentacles();
    return status;
  }
  DurationEstimates estimates = plan_.estimates;
  if (estimates.empty() && !HistoryPath().empty()) {
    absl::StatusOr<DurationEstimates> history = LoadDurationHistory(HistoryPath());
    if (history.ok()) {
      estimates = *std::move(history);
    } else {  // only the order suffers: never a reason to stop the campaign
      LOG(WARNING) << history.status() << "; going on without run-time history";
    }
  }
  std::vector<proto::InventoryEntry> entries;
  for (const proto::Tentacle& tentacle : tentacles_) entries.push_back(tentacle.entry());
  matrix_ = MakeMatrix(plan_, entries, std::move(estimates));
  const int reference = matrix_->reference();
  for (int i = 0; i < static_cast<int>(tentacles_.size()); ++i) {
    if (auto it = not_started_.find(tentacles_[i].entry().label()); it != not_started_.end()) {
      matrix_->Quarantine(i, it->second);
    }
  }
  FirmwareBartender firmware(options_.build, plugins_);
  if (options_.flash_skip) {
    for (const auto& [board, variants] : plan_.variants_by_board) {
      for (const std::string& variant : variants) matrix_->SetFirmwareReady(board, variant);
    }
    if (reference >= 0) {
      matrix_->SetFirmwareReady(matrix_->tentacles()[reference].board, matrix_->ReferenceVariant());
    }
  } else {
    std::string reference_board = reference >= 0 ? matrix_->tentacles()[reference].board : "";
    firmware.Plan(plan_.boards, plan_.variants_by_board, reference_board,
                  matrix_->ReferenceVariant());
  }
  TestBartender tests(*matrix_, tentacles_, firmware_, plugins_, options_.test);
  // A forked job's events are published on this thread while the executor waits; an inline
  // job's on its own thread as it sends them. Either way they are handled here, on this thread,
  // after each wait and before the ends of the jobs that sent them.
  struct EventQueue {
    std::mutex mutex;
    std::vector<proto::Event> events;
  };
  // Shared with the handlers: an abandoned inline run's thread may still be publishing to it
  // after this function has unsubscribed and returned.
  auto queue = std::make_shared<EventQueue>();
  std::vector<bus::EventBus::SubscriptionId> subscriptions;
  if (options_.bus != nullptr) {
    for (proto::Event::KindCase kind : {proto::Event::kTest, proto::Event::kBuild}) {
      subscriptions.push_back(options_.bus->SubscribeTo(kind, [queue](const proto::Event& event) {
        std::lock_guard<std::mutex> lock(queue->mutex);
        queue->events.push_back(event);
      }));
    }
  }
  // What a job logs at WARNING or worse reaches the campaign's log while the job runs (its whole
  // log is merged in when it ends): a long run's trouble shows in mptest.log as it happens.
  std::optional<bus::EventBus::SubscriptionId> log_subscription;
  if (options_.bus != nullptr) {
    log_subscription =
        options_.bus->SubscribeTo(proto::Event::kLogLine, [](const proto::Event& event) {
          LOG(WARNING) << "[" << event.source() << ", pid " << event.pid() << ", "
                       << google::GetLogSeverityName(std::clamp(event.log_line().severity(), 0,
                                                                google::NUM_SEVERITIES - 1))
                       << "] " << event.log_line().text();
        });
  }
  auto handle_events = [&] {
    std::vector<proto::Event> arrived;
    {
      std::lock_guard<std::mutex> lock(queue->mutex);
      arrived.swap(queue->events);
    }
    for (const proto::Event& event : arrived) {
      if (event.has_test()) {
        tests.OnTestEvent(event.test(), executor_.Now());
        sink_.TestReported(event.test());
      } else if (event.has_build() &&
                 firmware.Building(event.build().board(), event.build().variant())) {
        sink_.BuildProgress(event.build());
      }
    }
  };

  proto::CampaignInfo info;
  info.set_results_dir(options_.test.results_dir);
  info.set_total_runs(matrix_->total());
  for (const proto::Tentacle& tentacle : tentacles_) info.add_tentacles(tentacle.entry().label());
  for (const std::string& name : firmware.Planned()) info.add_builds(name);
  info.set_time_start(AnchorTime(start_));
  info.set_jobs(options_.test.jobs);
  sink_.CampaignStarted(info);

  bool interrupted = false;  // by a signal (or the USB watchdog)
  std::string host_error;    // or by the host
  bool hurried = false;      // a second signal: what still runs is killed without the grace
  absl::Time last_progress = absl::InfinitePast();
  while (true) {
    const bool stopping = interrupted || !host_error.empty();
    if (!stopping && options_.interrupted && options_.interrupted()) interrupted = true;
    if (!stopping && !interrupted) {
      host_error = tests.host_error();
      if (host_error.empty()) host_error = build_host_error_;
      if (host_error.empty() && options_.host_error) host_error = options_.host_error();
    }
    if (!stopping && (interrupted || !host_error.empty())) {
      // Out of descriptors, the campaign could not even write its results: the held-back ones
      // are for this.
      if (!host_error.empty()) ReleaseReservedDescriptors();
      LOG(WARNING) << "ending the running jobs: "
                   << (interrupted ? "interrupted" : absl::StrCat("host error: ", host_error));
      sink_.CampaignStopping();
      firmware.CancelPending();
      tests.Interrupt(interrupted ? "the campaign was stopped (SIGINT/SIGTERM or a USB error) "
                                    "while this attempt ran"
                                  : absl::StrCat("the campaign was ended by a host error while "
                                                 "this attempt ran: ",
                                                 host_error));
      // The kills first: the runs end while what never ran is recorded.
      executor_.CancelAll();
      const std::string why = interrupted ? "the campaign was interrupted before this run started"
                                          : "the campaign ended on a host error before this run "
                                            "started";
      for (const TodoEntry& entry : matrix_->DropAll()) Dropped(entry, "", why);
    }
    if (stopping && !hurried && options_.hurry && options_.hurry()) {
      LOG(WARNING) << "interrupted again: killing the running jobs at once";
      hurried = true;
      executor_.KillAll();
    }
    int free = executor_.capacity() - executor_.running();
    std::vector<proto::BuildRecord> builds_started;
    for (const proto::BuildRecord& build : firmware.StartBuilds(executor_, free, &builds_started)) {
      HandleBuild(build);
    }
    for (const proto::BuildRecord& build : builds_started) sink_.BuildStarted(build);
    free = executor_.capacity() - executor_.running();
    for (const proto::RunStart& start : tests.StartRuns(executor_, free)) sink_.RunStarted(start);
    if (executor_.running() == 0) {
      if (!firmware.finished()) continue;  // cache hits freed slots: start more
      for (const auto& [entry, reason] : matrix_->DropUnreachable()) {
        bool quarantine = reason.find("quarantined") != std::string::npos;
        Dropped(entry, quarantine ? reason : "", quarantine ? "" : reason);
      }
      // Nothing runs and nothing more can start (a reference without firmware, say).
      for (const TodoEntry& entry : matrix_->DropAll()) {
        Dropped(entry, "", "no tentacle and firmware combination could run it");
      }
      break;
    }
    std::vector<JobDone> finished = executor_.Wait(options_.poll);
    if (options_.after_wait) options_.after_wait();
    handle_events();
    const absl::Time now = executor_.Now();
    sink_.Tick(Seconds(now));
    if (now - last_progress >= options_.progress_interval) {
      last_progress = now;
      std::optional<double> left =
          matrix_->EstimateRemaining(tests.RunningLeft(now), options_.test.jobs);
      if (left.has_value()) sink_.RemainingEstimate(*left);
      for (const proto::TestGroupResult& group : tests.TakeProgressed()) {
        sink_.AttemptProgressed(group);
      }
    }
    for (const JobDone& done : finished) {
      if (firmware.Owns(done.id)) {
        HandleBuild(firmware.OnDone(done));
      } else {
        std::optional<proto::TestRunRecord> record = tests.OnDone(done);
        if (!record) continue;  // lost with its host: it runs again
        ObserveDuration(*record, done);
        HandleRecord(*record);
      }
    }
  }
  // An inline run abandoned at a second signal may still send: nothing reaches `tests` now.
  for (bus::EventBus::SubscriptionId id : subscriptions) options_.bus->Unsubscribe(id);
  if (log_subscription) options_.bus->Unsubscribe(*log_subscription);
  StopTentacles();
  if (!HistoryPath().empty() && !durations_.empty()) {
    if (absl::Status status = durations_.MergeInto(HistoryPath()); !status.ok()) {
      LOG(WARNING) << "run-time history not saved: " << status;
    }
  }
  proto::CampaignSummary summary = Summarize();
  for (const std::string& label : tests.quarantined()) summary.add_quarantined(label);
  if (summary.quarantined_size() > 0 && summary.exit_code() == 0) summary.set_exit_code(3);
  if (interrupted) {
    summary.set_interrupted(true);
    summary.set_exit_code(3);
  }
  if (!host_error.empty()) {
    summary.set_host_error(host_error);
    summary.set_exit_code(3);
  }
  sink_.CampaignFinished(summary);
  return summary;
}

proto::CampaignSummary Campaign::Summarize() const {
  proto::CampaignSummary summary;
  summary.set_results_dir(options_.test.results_dir);
  bool errors = false;
  bool failures = false;
  for (const proto::BuildRecord& build : builds_) errors |= !build.error().empty();
  for (const proto::TestRunRecord& record : records_) {
    for (const proto::TestGroupResult& group : record.attempts()) {
      if (!group.msg_error().empty()) {
        summary.set_groups_errored(summary.groups_errored() + 1);
      } else if (!group.msg_interrupted().empty()) {
        summary.set_groups_interrupted(summary.groups_interrupted() + 1);
      } else if (!group.msg_skipped().empty()) {
        summary.set_groups_skipped(summary.groups_skipped() + 1);
      } else {
        summary.set_groups_run(summary.groups_run() + 1);
      }
      summary.set_test_executions(summary.test_executions() + group.outcomes_size());
    }
    errors |= !record.error().empty();
    // The verdict of a test is its last attempt's.
    if (record.attempts().empty()) continue;
    const proto::TestGroupResult& last = record.attempts(record.attempts_size() - 1);
    std::set<std::string> flaky_tests;
    if (last.flaky()) {
      std::map<std::string, std::set<proto::Outcome::Verdict>> seen;
      for (const proto::TestGroupResult& group : record.attempts()) {
        for (const proto::Outcome& outcome : group.outcomes()) {
          seen[outcome.name()].insert(outcome.outcome());
        }
      }
      for (const auto& [name, verdicts] : seen) {
        if (verdicts.count(proto::Outcome::passed) && verdicts.size() > 1) {
          summary.add_flaky(absl::StrCat(record.label(), ": ", name, " on ",
                                         BoardVariantName(record.board(), record.variant())));
          failures = true;  // it failed at least once: not "all passed"
        }
      }
    }
    for (const proto::Outcome& outcome : last.outcomes()) {
      const proto::Outcome::Verdict verdict = outcome.outcome();
      if (verdict == proto::Outcome::passed) summary.set_tests_passed(summary.tests_passed() + 1);
      if (verdict == proto::Outcome::skipped) {
        summary.set_tests_skipped(summary.tests_skipped() + 1);
      }
      if (verdict == proto::Outcome::xfailed) {
        summary.set_tests_xfailed(summary.tests_xfailed() + 1);
      }
      if (verdict == proto::Outcome::failed) {
        summary.set_tests_failed(summary.tests_failed() + 1);
        failures = true;
      }
    }
  }
  summary.set_duration_s(absl::ToDoubleSeconds(executor_.Now() - start_));
  summary.set_exit_code(errors ? 3 : failures ? 1 : 0);
  return summary;
}

}  // namespace mptest::sched
