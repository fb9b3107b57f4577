// Fakes of the scheduler's interfaces, for tests and benchmarks only (testonly: mptest never
// links them): a builder that writes a small image file, a board driver whose
// "flash" records the image's version in a state file (so the state survives forked children),
// a harness with scripted outcomes (reported test by test as a real harness does), durations,
// errors, crashes and hangs, and a PluginSource.
#ifndef MPTEST_CORE_SCHED_TESTING_FAKES_H_
#define MPTEST_CORE_SCHED_TESTING_FAKES_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/sched/plugins.h"

namespace mptest::sched::testing {

// Builds "<output_dir>/firmware.vimg" holding board, variant and version. Boards named in
// `fail` fail with an error naming them; each build takes `duration` of wall time.
class FakeBuilder : public Builder {
 public:
  std::set<std::string> fail;  // BOARD or BOARD-VARIANT
  std::string fail_cause;      // appended to their error ("Too many open files", say)
  absl::Duration duration = absl::ZeroDuration();
  std::string version_prefix = "fake";
  absl::StatusOr<proto::Firmware> Build(const proto::BuildRequest& request) override;
};

// Tentacles whose firmware version lives in "<state_dir>/<label>.version".
class FakeDriver : public BoardDriver {
 public:
  std::set<std::string> fail_flash;                      // tentacle labels whose flashing fails
  std::set<std::string> fail_start;                      // tentacle labels that never come up
  std::string fail_start_cause;                          // appended to their error
  absl::Duration flash_duration = absl::ZeroDuration();  // real sleep in every Flash
  std::multiset<std::string> stopped;  // the label of every tentacle Stop was called for (parent)
  std::multiset<std::string> power_cycled;  // ... and PowerCycle (where the run's work runs)
  absl::StatusOr<proto::DiscoverResponse> Discover(const proto::DiscoverRequest& request) override;
  absl::StatusOr<proto::Tentacle> Start(const proto::Tentacle& tentacle) override;
  absl::Status PowerCycle(const proto::Tentacle& tentacle) override;
  absl::Status Flash(const proto::FlashRequest& request) override;
  absl::Status Stop(const proto::Tentacle& tentacle) override;
  // What the board reports: the version of the image last flashed, NotFound before.
  absl::StatusOr<std::string> ReadVersion(const proto::Tentacle& tentacle) override;
};

// What the fake harness does for a test id containing `match` (the first match wins).
struct HarnessScript {
  std::string match;
  std::vector<std::pair<std::string, std::string>> outcomes = {{"basics/a.py", "pass"}};
  absl::Duration duration = absl::ZeroDuration();  // real sleep
  std::string error;            // non-empty: the run fails with this infrastructure error
  bool crash = false;           // abort() the process
  bool hang = false;            // never return
  int fail_first_attempts = 0;  // attempts ,a.. that fail every test before outcomes apply
  bool skip_group = false;      // FailedPrecondition: the whole group is skipped
  // Write _results.json with the outcomes before hanging or failing, as a harness that had
  // decided some tests when it was stopped.
  bool verdicts_before_failing = false;
  // Report each test as it starts and ends (Harness::ReportTest) before hanging or failing,
  // without writing _results.json: a harness stopped mid-run whose verdicts only the bus saw.
  bool reported_before_failing = false;
};

class FakeHarness : public Harness {
 public:
  std::vector<HarnessScript> scripts;  // default: one passing test
  absl::StatusOr<proto::HarnessResult> Run(const proto::HarnessRequest& request) override;
};

// Everything by name: builder "virtual"/"fake", driver "fake", harness by spec harness name.
class FakePlugins : public PluginSource {
 public:
  FakeBuilder builder;
  FakeDriver driver;
  FakeHarness harness;
  std::map<std::string, Harness*> extra_harnesses;
  absl::StatusOr<Builder*> GetBuilder(const std::string& name) override;
  absl::StatusOr<BoardDriver*> GetDriver(const std::string& type) override;
  absl::StatusOr<Harness*> GetHarness(const std::string& name) override;
  absl::StatusOr<std::string> ReadVersion(const proto::Tentacle& tentacle) override {
    return driver.ReadVersion(tentacle);
  }
};

}  // namespace mptest::sched::testing

#endif  // MPTEST_CORE_SCHED_TESTING_FAKES_H_
