// TestBartender: starting, supervising and collecting test runs (see test_bartender.h).
#include "core/sched/test_bartender.h"

#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "core/report/results_model.h"
#include "core/sched/firmware_bartender.h"
#include "core/sched/record_io.h"
#include "core/sched/slurm_config.h"
#include "core/sched/worker.h"
#include "glog/logging.h"

namespace mptest::sched {
namespace {

double Seconds(absl::Time time) { return absl::ToDoubleSeconds(time - absl::UnixEpoch()); }

}  // namespace

TestBartender::TestBartender(Matrix& matrix, std::vector<proto::Tentacle>& tentacles,
                             const std::map<std::string, proto::Firmware>& firmware,
                             PluginSource& plugins, TestBartenderOptions options)
    : matrix_(matrix),
      tentacles_(tentacles),
      firmware_(firmware),
      plugins_(plugins),
      options_(std::move(options)) {}

absl::Duration TestBartender::Deadline(const proto::TestRunSpec& spec) const {
  return (options_.run.count + options_.run.max_retries) * absl::Seconds(spec.timeout_s()) +
         options_.margin;
}

TestRunInput TestBartender::MakeInput(const PlannedRun& run) const {
  TestRunInput input;
  input.spec = matrix_.specs()[run.entry.spec];
  input.testid = run.testid;
  input.role = run.entry.role;
  for (int i = 0; i < static_cast<int>(run.tentacles.size()); ++i) {
    int slot = run.tentacles[i];
    input.tentacles.push_back(tentacles_[slot]);
    if (slot == run.dut) input.dut = i;
    const std::string& board = matrix_.tentacles()[slot].board;
    std::string variant = slot == run.dut ? run.entry.variant : matrix_.ReferenceVariant();
    auto it = firmware_.find(BoardVariantName(board, variant));
    proto::Firmware firmware;
    if (it != firmware_.end()) {
      firmware = it->second;
    } else {
      firmware.set_board(board);
      firmware.set_variant(variant);  // --flash_skip: whatever the board holds
    }
    input.firmware.push_back(firmware);
  }
  input.results_dir = options_.results_dir;
  input.tests_dir = options_.tests_dir;
  input.options = options_.run;
  input.xfail = options_.xfail;
  return input;
}

std::vector<proto::RunStart> TestBartender::StartRuns(Executor& executor, int free_slots) {
  std::vector<proto::RunStart> started;
  while (free_slots > 0 && (options_.jobs <= 0 || running() < options_.jobs)) {
    std::optional<PlannedRun> run = matrix_.Next();
    if (!run) break;
    --free_slots;
    Running entry{*run, MakeInput(*run), executor.Now()};
    JobSpec job;
    job.name = run->testid;
    job.deadline = Deadline(entry.input.spec);
    if (executor.remote()) {
      // The run's worker on the tentacles' host brings them up, powers them off and stops them.
      RemoteJob remote;
      absl::StatusOr<proto::WorkerInput> input =
          MakeWorkerInput(entry.input, job.deadline,
                          options_.xfail != nullptr ? options_.xfail->json() : "", &images_);
      if (input.ok()) {
        remote.input = input->SerializeAsString();
      } else {
        remote.error = std::string(input.status().message());
      }
      for (const proto::Tentacle& tentacle : entry.input.tentacles) {
        remote.host = tentacle.entry().host();
        remote.gres.push_back(GresRequest(tentacle.entry()));
        remote.tentacles.push_back(tentacle.entry().label());
      }
      job.remote = std::move(remote);
    } else {
      job.work = [this, input = entry.input, &executor]() {
        return RunTestRun(input, plugins_, [&executor] { return executor.Now(); })
            .SerializeAsString();
      };
      PlannedRun planned = *run;
      // The runaway's dying gasp; when the campaign is stopped, OnDone powers off instead,
      // after the kill.
      job.before_kill = [this, planned] {
        if (interrupted_.empty()) PowerOff(planned);
      };
    }
    remote_ = executor.remote();
    proto::RunStart start;
    start.set_testid(run->testid);
    for (int slot : run->tentacles) start.add_tentacles(matrix_.tentacles()[slot].label);
    start.set_start_s(Seconds(executor.Now()));
    start.set_needs_flash(!run->firmware_already_flashed && !options_.run.flash_skip);
    int id = executor.Start(std::move(job));
    running_.emplace(id, std::move(entry));
    started.push_back(start);
  }
  return started;
}

std::map<std::string, double> TestBartender::RunningLeft(absl::Time now) const {
  std::map<std::string, double> left;
  for (const auto& [id, running] : running_) {
    const PlannedRun& run = running.run;
    double expected = run.expected_s > 0 ? run.expected_s : matrix_.SpecEstimate(run.entry.spec);
    left[run.entry.board] += std::max(0.0, expected - absl::ToDoubleSeconds(now - running.started));
  }
  return left;
}

void TestBartender::PowerOff(const PlannedRun& run) {
  if (remote_) return;  // the worker on the tentacles' host did
  std::vector<proto::Tentacle> tentacles;
  for (int slot : run.tentacles) tentacles.push_back(tentacles_[slot]);
  PowerOffTentacles(plugins_, tentacles);
}

void TestBartender::Restart(const PlannedRun& run) {
  if (remote_) return;  // each attempt's worker starts the tentacles afresh
  for (int slot : run.tentacles) {
    absl::StatusOr<BoardDriver*> driver = plugins_.GetDriver(tentacles_[slot].entry().type());
    absl::StatusOr<proto::Tentacle> restarted =
        driver.ok() ? (*driver)->Start(tentacles_[slot]) : driver.status();
    if (restarted.ok()) {
      tentacles_[slot] = *restarted;
    } else {
      LOG(ERROR) << tentacles_[slot].entry().label()
                 << ": cannot bring the board back: " << restarted.status();
      failures_in_a_row_[slot] = options_.quarantine_after;  // quarantined below
    }
  }
}

const std::vector<proto::TestOutcome>& TestBartender::Reported(const std::string& testid,
                                                               const std::string& attempt) const {
  static const auto* const kNone = new std::vector<proto::TestOutcome>();
  auto run = reported_.find(testid);
  if (run == reported_.end()) return *kNone;
  auto reports = run->second.find(attempt);
  return reports == run->second.end() ? *kNone : reports->second.ended;
}

proto::TestRunRecord TestBartender::Recover(const Running& running, const JobDone& done) const {
  proto::TestRunRecord record;
  const TestRunInput& input = running.input;
  record.set_testid(input.testid);
  record.set_label(input.spec.label());
  record.set_role(input.role);
  record.set_board(input.tentacles[input.dut].board().name());
  record.set_variant(input.firmware[input.dut].variant());
  for (const proto::Tentacle& tentacle : input.tentacles) {
    record.add_tentacles(tentacle.entry().label());
  }
  record.set_start_s(Seconds(done.start));
  record.set_end_s(Seconds(done.end));
  record.set_error(done.detail);
  // Every attempt the child started is on disk; the unfinished one gets the cause.
  for (int attempt = 0;; ++attempt) {
    proto::TestGroupResult group = DescribeAttempt(input, attempt);
    std::string path =
        absl::StrCat(input.results_dir, "/", group.directory_relative(), "/context_testgroup.json");
    struct stat info;
    bool missing = stat(path.c_str(), &info) != 0;
    if (missing && attempt > 0) break;
    if (missing) {
      group.set_start_s(Seconds(done.start));  // died before its first attempt began
      (void)MakeDirs(absl::StrCat(input.results_dir, "/", group.directory_relative()));
    } else if (absl::Status status = ReadJson(path, &group); !status.ok()) {
      LOG(ERROR) << status;
    }
    if (missing || group.msg_error() == report::kNeverFinished) {
      group.set_msg_error(done.detail);
      KeepKnownVerdicts(input, Reported(input.testid, group.attempt()), &group);
      group.set_end_s(Seconds(done.end));
      group.set_time_end(AnchorTime(done.end));
      if (absl::Status status = WriteJsonAtomically(path, group); !status.ok())
        LOG(ERROR) << status;
    }
    *record.add_attempts() = group;
  }
  MarkFlaky(&record);
  return record;
}

void TestBartender::OnTestEvent(const proto::TestEvent& event, absl::Time now) {
  const Running* run = FindRunning(event.testid());
  if (run == nullptr) return;  // a straggler of a run already collected
  AttemptReports& reports = reported_[event.testid()][event.attempt()];
  if (reports.start_s == 0) {  // its first report: the first attempt started with its run
    reports.start_s = Seconds(event.attempt() == AttemptLetter(0) ? run->started : now);
    // A run's attempts follow each other: the ones before this have ended.
    for (auto& [letter, earlier] : reported_[event.testid()]) {
      if (letter == event.attempt() || earlier.over) continue;
      earlier.over = true;
      earlier.changed = true;
    }
  }
  reports.changed = true;
  if (!event.progress().ended()) return;
  // A test reported again (its runner's verdict at the end after its output's) keeps one entry.
  const proto::TestOutcome& outcome = event.progress().outcome();
  auto [position, added] = reports.position.emplace(outcome.name(), reports.ended.size());
  if (added) {
    reports.ended.push_back(outcome);
  } else {
    reports.ended[position->second] = outcome;
  }
}

std::vector<proto::TestGroupResult> TestBartender::TakeProgressed() {
  std::vector<proto::TestGroupResult> progressed;
  for (auto& [testid, attempts] : reported_) {
    const Running* run = FindRunning(testid);
    for (auto& [attempt, reports] : attempts) {
      if (!reports.changed || run == nullptr) continue;
      reports.changed = false;
      proto::TestGroupResult group = DescribeRunningAttempt(run->input, attempt, reports.ended);
      if (reports.over) {
        // As the run's child wrote it at the attempt's end (on another host under Slurm: not
        // here yet, so it stays as it was until the run's record comes).
        const std::string path = absl::StrCat(
            run->input.results_dir, "/", group.directory_relative(), "/context_testgroup.json");
        proto::TestGroupResult ended;
        if (!ReadJson(path, &ended).ok() || ended.msg_error() == report::kNeverFinished) continue;
        group = std::move(ended);
      } else {
        group.set_start_s(reports.start_s);
      }
      progressed.push_back(std::move(group));
    }
  }
  return progressed;
}

const TestBartender::Running* TestBartender::FindRunning(const std::string& testid) const {
  for (const auto& [id, run] : running_) {
    if (run.input.testid == testid) return &run;
  }
  return nullptr;
}

void TestBartender::Interrupt(const std::string& reason) { interrupted_ = reason; }

void TestBartender::MarkInterrupted(const std::string& kill_detail,
                                    proto::TestRunRecord* record) const {
  record->clear_error();
  record->clear_faulty_tentacle();
  if (record->attempts().empty()) return;
  proto::TestGroupResult* last = record->mutable_attempts(record->attempts_size() - 1);
  if (last->msg_error() == kill_detail) {  // Recover's mark of the attempt the kill ended
    last->clear_msg_error();
    last->set_msg_interrupted(interrupted_);
    const std::string path = absl::StrCat(options_.results_dir, "/", last->directory_relative(),
                                          "/context_testgroup.json");
    if (absl::Status status = WriteJsonAtomically(path, *last); !status.ok()) LOG(ERROR) << status;
  }
}

void TestBartender::CountFailure(int tentacle, bool failed) {
  if (!failed) {
    failures_in_a_row_[tentacle] = 0;
    return;
  }
  if (++failures_in_a_row_[tentacle] >= options_.quarantine_after &&
      !matrix_.tentacles()[tentacle].quarantined) {
    matrix_.Quarantine(tentacle, absl::StrCat("quarantined after ", failures_in_a_row_[tentacle],
                                              " infrastructure failures in a row"));
    quarantined_.push_back(matrix_.tentacles()[tentacle].label);
    LOG(WARNING) << matrix_.tentacles()[tentacle].label << ": quarantined after "
                 << failures_in_a_row_[tentacle] << " infrastructure failures in a row";
  }
}

void TestBartender::QuarantineLostHosts() {
  for (int slot = 0; slot < static_cast<int>(tentacles_.size()); ++slot) {
    const TentacleSlot& tentacle = matrix_.tentacles()[slot];
    auto host = lost_hosts_.find(tentacles_[slot].entry().host());
    if (host == lost_hosts_.end() || tentacle.busy || tentacle.quarantined) continue;
    matrix_.Quarantine(slot, host->second);
    quarantined_.push_back(tentacle.label);
    LOG(WARNING) << tentacle.label << ": " << host->second;
  }
}

bool TestBartender::OnLost(const Running& running, const JobDone& done) {
  const std::string host =
      done.host.empty() ? running.input.tentacles[0].entry().host() : done.host;
  LOG(WARNING) << running.run.testid << ": " << done.detail;
  lost_hosts_.emplace(
      host, absl::StrCat("quarantined: its host ", host, " was lost (", done.detail, ")"));
  const TodoEntry& entry = running.run.entry;
  std::vector<std::string>& lost = lost_[{entry.spec, entry.board, entry.variant, entry.role}];
  lost.push_back(absl::StrCat(running.run.testid, ": ", done.detail));
  if (static_cast<int>(lost.size()) > options_.run.max_retries || !interrupted_.empty()) {
    return false;  // recorded as the infrastructure error it is
  }
  matrix_.Requeue(running.run);
  QuarantineLostHosts();
  return true;
}

std::optional<proto::TestRunRecord> TestBartender::OnDone(const JobDone& done) {
  auto it = running_.find(done.id);
  CHECK(it != running_.end());
  Running running = std::move(it->second);
  running_.erase(it);
  if (done.status == JobDone::Status::kLost && OnLost(running, done)) {
    reported_.erase(running.input.testid);  // it runs again elsewhere, reporting afresh
    return std::nullopt;
  }
  proto::TestRunRecord record;
  if (done.status != JobDone::Status::kOk || !record.ParseFromString(done.payload)) {
    record = Recover(running, done);
  }
  reported_.erase(running.input.testid);
  if (!interrupted_.empty() && done.status != JobDone::Status::kOk) {
    PowerOff(running.run);  // after the kill: see Interrupt
    MarkInterrupted(done.detail, &record);
    matrix_.Release(running.run, true);
    return record;  // neither retried nor counted against the tentacles
  }
  if (IsHostResourceError(record.error())) {  // the host's fault, not the boards'
    if (host_error_.empty()) host_error_ = record.error();
    matrix_.Release(running.run, true);
    return record;
  }
  if (done.status == JobDone::Status::kTimedOut) Restart(running.run);
  bool failed = !record.error().empty();
  matrix_.Release(running.run, !failed);
  // A clean run clears every tentacle's count. A failure counts against the tentacle it is
  // pinned on, else the DUT: the reference serves every two-tentacle run, and a faulty DUT must
  // not get it quarantined. A tentacle that could not be brought back (Restart) is quarantined
  // whatever the run's fault was.
  int at_fault = running.run.dut;
  for (int slot : running.run.tentacles) {
    if (!record.faulty_tentacle().empty() &&
        matrix_.tentacles()[slot].label == record.faulty_tentacle()) {
      at_fault = slot;
    }
  }
  for (int slot : running.run.tentacles) {
    if (!failed || slot == at_fault || failures_in_a_row_[slot] >= options_.quarantine_after) {
      CountFailure(slot, failed);
    }
  }
  QuarantineLostHosts();
  const TodoEntry& entry = running.run.entry;
  if (auto lost = lost_.find({entry.spec, entry.board, entry.variant, entry.role});
      lost != lost_.end()) {
    if (record.attempts().empty()) record.add_attempts();
    for (const std::string& line : lost->second) record.mutable_attempts(0)->add_lost(line);
  }
  return record;
}

}  // namespace mptest::sched
