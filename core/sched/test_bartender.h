// TestBartender: starts a test run as soon as its firmware is ready and its tentacles are free,
// up to --jobs, each as a job with the deadline (count + retries) x timeout + margin; powers the
// boards off before a runaway is killed and brings them back; recovers the records of a child
// that crashed; quarantines a tentacle after N infrastructure failures in a row.
#ifndef MPTEST_CORE_SCHED_TEST_BARTENDER_H_
#define MPTEST_CORE_SCHED_TEST_BARTENDER_H_

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/proto/campaign.pb.h"
#include "core/proto/events.pb.h"
#include "core/sched/executor.h"
#include "core/sched/matrix.h"
#include "core/sched/plugins.h"
#include "core/sched/test_run.h"

namespace mptest::sched {

struct TestBartenderOptions {
  int jobs = 6;              // 0 = unlimited
  int quarantine_after = 3;  // infrastructure failures in a row
  absl::Duration margin = absl::Seconds(60);
  TestRunOptions run;
  std::string results_dir;
  std::string tests_dir;
  const Xfail* xfail = nullptr;
};

class TestBartender {
 public:
  // `tentacles` are in the matrix's slot order and are updated when a board is restarted.
  TestBartender(Matrix& matrix, std::vector<proto::Tentacle>& tentacles,
                const std::map<std::string, proto::Firmware>& firmware, PluginSource& plugins,
                TestBartenderOptions options);

  // Starts runs while --jobs and `free_slots` allow.
  std::vector<proto::RunStart> StartRuns(Executor& executor, int free_slots);
  bool Owns(int job_id) const { return running_.count(job_id) > 0; }
  // A run's job ended: its record (recovered from disk when the child crashed or timed out),
  // or nothing when the run was lost with its host and waits to run again elsewhere.
  std::optional<proto::TestRunRecord> OnDone(const JobDone& done);
  // A test of a running run started or ended (the run's child sent it over the bus, `now` is
  // when it arrived): a run that is then killed or crashes keeps the verdicts of the tests that
  // ended.
  void OnTestEvent(const proto::TestEvent& event, absl::Time now);
  // The attempts under way that reported a test since the last call, as the reports show them
  // while they run (DescribeRunningAttempt, with the attempt's start, `running` set), and the
  // ones that ended since (a later attempt of their run reported), as their run's child wrote
  // them at their end (`running` unset).
  std::vector<proto::TestGroupResult> TakeProgressed();

  // The campaign is being stopped (SIGINT/SIGTERM): call before the executor's CancelAll. The
  // runs under way are killed before their boards are powered off (so that a harness never
  // sees its board vanish and retries), and end with their unfinished attempt interrupted
  // (msg_interrupted = `reason`), not errored: not retried, not counted toward quarantine.
  void Interrupt(const std::string& reason);

  int running() const { return static_cast<int>(running_.size()); }
  // The expected seconds still to go of the runs under way (their estimate at the start, else
  // their spec's mean now, less the time they have run; never below 0), by their DUT's board.
  std::map<std::string, double> RunningLeft(absl::Time now) const;
  const std::vector<std::string>& quarantined() const { return quarantined_; }
  // The first host error (IsHostResourceError: full disk, no descriptors) a run ended with, or
  // "": the campaign should end, since every run would fail the same way.
  const std::string& host_error() const { return host_error_; }
  // The job deadline of a spec: (count + retries) x timeout + margin.
  absl::Duration Deadline(const proto::TestRunSpec& spec) const;

 private:
  struct Running {
    PlannedRun run;
    TestRunInput input;
    absl::Time started;
  };
  // What the harness of an attempt under way reported (OnTestEvent).
  struct AttemptReports {
    double start_s = 0;  // its first report's arrival (the first attempt's: its run's start)
    std::vector<proto::TestOutcome> ended;   // the verdicts, in the order the tests ended
    std::map<std::string, size_t> position;  // test name -> its verdict in `ended`
    bool changed = false;                    // since the last TakeProgressed
    bool over = false;                       // a later attempt of its run has reported
  };
  TestRunInput MakeInput(const PlannedRun& run) const;
  const Running* FindRunning(const std::string& testid) const;
  proto::TestRunRecord Recover(const Running& running, const JobDone& done) const;
  // The verdicts a run's attempt reported before it ended (none: empty).
  const std::vector<proto::TestOutcome>& Reported(const std::string& testid,
                                                  const std::string& attempt) const;
  // An interrupted run's record: the attempt the kill ended (Recover gave it `kill_detail` as its
  // error) becomes interrupted, and the run carries no infrastructure error.
  void MarkInterrupted(const std::string& kill_detail, proto::TestRunRecord* record) const;
  void PowerOff(const PlannedRun& run);
  void Restart(const PlannedRun& run);
  void CountFailure(int tentacle, bool failed);
  // The run's host is gone: its tentacles leave the campaign (as each becomes free), and the
  // run is queued again unless it was lost too often.
  bool OnLost(const Running& running, const JobDone& done);
  void QuarantineLostHosts();

  Matrix& matrix_;
  std::vector<proto::Tentacle>& tentacles_;
  const std::map<std::string, proto::Firmware>& firmware_;
  PluginSource& plugins_;
  TestBartenderOptions options_;
  std::map<int, Running> running_;
  // The reports of the runs under way: testid -> attempt -> what its harness reported.
  std::map<std::string, std::map<std::string, AttemptReports>> reported_;
  std::map<int, int> failures_in_a_row_;  // by tentacle slot
  std::vector<std::string> quarantined_;
  std::string interrupted_;  // the reason, once the campaign is being stopped
  std::string host_error_;
  bool remote_ = false;  // the executor runs test runs on the tentacles' hosts
  std::map<std::string, std::string> lost_hosts_;  // host -> why
  // Runs lost with their host, by cell (spec, board, variant, role): what the run's record
  // says once it runs to its end.
  std::map<std::tuple<int, std::string, std::string, std::string>, std::vector<std::string>> lost_;
  // Runs on other hosts: each firmware image's bytes, read once (MakeWorkerInput).
  std::map<std::string, std::string> images_;
};

}  // namespace mptest::sched

#endif  // MPTEST_CORE_SCHED_TEST_BARTENDER_H_
