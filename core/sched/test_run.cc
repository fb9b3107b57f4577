// One test run in its child: flashing, attempts, retries (see test_run.h).
#include "core/sched/test_run.h"

#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "core/bus/event_sender.h"
#include "core/repl/firmware_identity.h"
#include "core/report/atomic_file.h"
#include "core/report/results_json.h"
#include "core/report/results_model.h"
#include "core/report/text_diff.h"
#include "core/sched/record_io.h"
#include "core/sched/shards.h"
#include "glog/logging.h"

namespace mptest::sched {
namespace {

double Seconds(absl::Time time) { return absl::ToDoubleSeconds(time - absl::UnixEpoch()); }

// How much of a .exp, .out or _results.json file is read back (1 MiB).
constexpr size_t kMaxDiffInput = size_t{1} << 20;

// "<serial4>-<BOARD>[-<VARIANT>]" of a tentacle running `variant`.
std::string TentacleVariant(const proto::Tentacle& tentacle, const std::string& variant) {
  std::string name = tentacle.entry().label();
  return variant.empty() ? name : absl::StrCat(name, "-", variant);
}

// Flashes one tentacle unless it already runs the firmware; verifies afterwards.
absl::Status PrepareTentacle(const proto::Tentacle& tentacle, const proto::Firmware& firmware,
                             const TestRunOptions& options, const std::string& log_path,
                             PluginSource& plugins, bool* flashed) {
  *flashed = false;
  if (options.flash_skip) return absl::OkStatus();
  absl::StatusOr<BoardDriver*> driver = plugins.GetDriver(tentacle.entry().type());
  if (!driver.ok()) return driver.status();
  absl::StatusOr<std::string> before = plugins.ReadVersion(tentacle);
  if (!options.flash_force && before.ok() && *before == firmware.version()) {
    return absl::OkStatus();
  }
  proto::FlashRequest request;
  *request.mutable_tentacle() = tentacle;
  *request.mutable_firmware() = firmware;
  request.set_log_path(log_path);
  if (absl::Status status = (*driver)->Flash(request); !status.ok()) {
    return absl::Status(status.code(), absl::StrCat("flashing ", tentacle.entry().label(),
                                                    " failed: ", status.message()));
  }
  *flashed = true;
  absl::StatusOr<std::string> after = plugins.ReadVersion(tentacle);
  // An empty version: the builder could not tell it (a firmware file without a banner), so the
  // board's answer is taken; only an answer is required.
  if (after.ok() && !firmware.version().empty() && *after != firmware.version()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "version mismatch after flashing ", tentacle.entry().label(), ": the board reports '",
        *after, "', the firmware is '", firmware.version(), "'"));
  }
  if (after.ok() && firmware.version().empty() && !firmware.source_revision().empty() &&
      !options.cache_dir.empty()) {  // learned: the next build of this image knows its version
    const std::string path =
        repl::LearnedIdentityPath(options.cache_dir, firmware.source_revision());
    absl::Status kept = MakeDirs(path.substr(0, path.rfind('/')));
    if (kept.ok()) kept = report::WriteFileAtomically(path, *after + "\n");
    LOG_IF(WARNING, !kept.ok()) << "cannot keep the identity " << *after << ": " << kept;
  }
  if (!after.ok() && !absl::IsUnimplemented(after.status())) {
    // Its code is kept: a probe that threw (INTERNAL) is not worth a retry, a silent board is.
    return absl::Status(after.status().code(),
                        absl::StrCat(tentacle.entry().label(), " does not answer after flashing: ",
                                     after.status().message()));
  }
  return absl::OkStatus();
}

// A failed test's .exp/.out pair the harness left in the attempt's directory: linked from the
// reports, their diff in junit.xml and results.json.
void AttachFailureFiles(const std::string& results_dir, const std::string& directory_relative,
                        proto::Outcome* outcome) {
  const std::string base =
      absl::StrCat(directory_relative, "/", absl::StrReplaceAll(outcome->name(), {{"/", "_"}}));
  std::optional<std::string> expected =
      report::TryReadFile(absl::StrCat(results_dir, "/", base, ".exp"), kMaxDiffInput);
  std::optional<std::string> output =
      report::TryReadFile(absl::StrCat(results_dir, "/", base, ".out"), kMaxDiffInput);
  if (!expected || !output) return;
  outcome->set_expected_file(base + ".exp");
  outcome->set_output_file(base + ".out");
  outcome->set_diff(report::UnifiedDiff(*expected, *output));
}

bool IsDeterministicError(const absl::Status& status) {
  return absl::IsInternal(status) || absl::IsInvalidArgument(status) ||
         absl::IsUnimplemented(status);
}

// Before an attempt that follows an infrastructure error: a hard reset of each board whose
// driver can (PowerCycle); the others are reflashed by the attempt itself.
void PowerCycleForRetry(const std::vector<proto::Tentacle>& tentacles, PluginSource& plugins) {
  for (const proto::Tentacle& tentacle : tentacles) {
    absl::StatusOr<BoardDriver*> driver = plugins.GetDriver(tentacle.entry().type());
    if (!driver.ok()) continue;
    absl::Status cycled = (*driver)->PowerCycle(tentacle);
    LOG_IF(WARNING, !cycled.ok() && !absl::IsUnimplemented(cycled))
        << tentacle.entry().label() << ": power cycle before the retry failed: " << cycled;
  }
}

// The verdicts of an attempt's tests as its harness reported them ending (from any thread).
struct ReportedVerdicts {
  std::mutex mutex;
  std::vector<proto::TestOutcome> outcomes;
};

// One of the harness's verdicts in the core's words, with a failure's files and xfail applied.
void AddOutcome(const TestRunInput& input, const proto::TestOutcome& outcome,
                proto::TestGroupResult* group) {
  proto::Outcome* out = group->add_outcomes();
  *out = report::ToCoreOutcome(outcome);
  if (out->outcome() == proto::Outcome::failed) {
    AttachFailureFiles(input.results_dir, group->directory_relative(), out);
  }
  if (out->outcome() == proto::Outcome::failed && input.xfail != nullptr &&
      input.xfail->Expected(KindLabel(input.spec), outcome.name(), group->board(),
                            group->variant())) {
    out->set_outcome(proto::Outcome::xfailed);
  }
}

proto::TestGroupResult DescribeAttemptLettered(const TestRunInput& input,
                                               const std::string& letter) {
  proto::TestGroupResult group;
  const proto::Tentacle& dut = input.tentacles[input.dut];
  const std::string& variant = input.firmware.empty() ? "" : input.firmware[input.dut].variant();
  group.set_directory_relative(absl::StrCat(input.testid, ",", letter));
  group.set_testgroup(KindLabel(input.spec));  // a shard reports under its kind
  group.set_testid(input.testid);
  group.set_attempt(letter);
  group.set_tentacle_variant(TentacleVariant(dut, variant));
  group.set_tentacle_variant_role(input.role);
  group.set_tentacle_mcu(dut.board().port());
  group.set_board(dut.board().name());
  group.set_variant(variant);
  group.set_tentacle(dut.entry().label());
  group.set_commandline(
      absl::StrCat(input.spec.harness(), " ", absl::StrJoin(input.spec.args(), " ")));
  for (int i = 0; i < static_cast<int>(input.tentacles.size()); ++i) {
    if (i == input.dut) continue;
    const std::string& ref_variant = input.firmware.empty() ? "" : input.firmware[i].variant();
    group.set_tentacle_reference(TentacleVariant(input.tentacles[i], ref_variant));
    group.set_tentacle_reference_name(input.tentacles[i].entry().label());
  }
  return group;
}

}  // namespace

void PowerOffTentacles(PluginSource& plugins, const std::vector<proto::Tentacle>& tentacles) {
  for (const proto::Tentacle& tentacle : tentacles) {
    absl::StatusOr<BoardDriver*> driver = plugins.GetDriver(tentacle.entry().type());
    if (!driver.ok()) continue;
    if (absl::Status status = (*driver)->Stop(tentacle); !status.ok()) {
      LOG(WARNING) << tentacle.entry().label() << ": power off failed: " << status;
    }
  }
}

std::string AttemptLetter(int index) {
  std::string letters;
  do {
    letters.insert(letters.begin(), static_cast<char>('a' + index % 26));
    index = index / 26 - 1;
  } while (index >= 0);
  return letters;
}

proto::TestGroupResult DescribeAttempt(const TestRunInput& input, int attempt) {
  return DescribeAttemptLettered(input, AttemptLetter(attempt));
}

proto::TestGroupResult DescribeRunningAttempt(const TestRunInput& input, const std::string& attempt,
                                              const std::vector<proto::TestOutcome>& reported) {
  proto::TestGroupResult group = DescribeAttemptLettered(input, attempt);
  group.set_running(true);
  group.set_msg_error(report::kNeverFinished);
  for (const proto::TestOutcome& outcome : reported) AddOutcome(input, outcome, &group);
  return group;
}

void KeepKnownVerdicts(const TestRunInput& input, const std::vector<proto::TestOutcome>& reported,
                       proto::TestGroupResult* group) {
  if (group->outcomes_size() > 0) return;
  const std::string path =
      absl::StrCat(input.results_dir, "/", group->directory_relative(), "/_results.json");
  std::optional<std::string> json = report::TryReadFile(path, kMaxDiffInput);
  if (json) {
    absl::StatusOr<std::vector<proto::TestOutcome>> outcomes =
        report::ParseResultsJson(*json, path);
    if (outcomes.ok()) {
      for (const proto::TestOutcome& outcome : *outcomes) {
        *group->add_outcomes() = report::ToCoreOutcome(outcome);
      }
    }
  }
  std::set<std::string> known;
  for (const proto::Outcome& outcome : group->outcomes()) known.insert(outcome.name());
  for (const proto::TestOutcome& outcome : reported) {
    if (known.insert(outcome.name()).second) AddOutcome(input, outcome, group);
  }
}

proto::Event MakeTestEvent(const TestRunInput& input, const std::string& attempt,
                           const proto::TestProgress& progress) {
  proto::Event event;
  proto::TestEvent* test = event.mutable_test();
  test->set_testid(input.testid);
  test->set_attempt(attempt);
  test->set_tentacle(input.tentacles[input.dut].entry().label());
  *test->mutable_progress() = progress;
  return event;
}

void MarkFlaky(proto::TestRunRecord* record) {
  std::map<std::string, std::set<proto::Outcome::Verdict>> verdicts;
  for (const proto::TestGroupResult& attempt : record->attempts()) {
    for (const proto::Outcome& outcome : attempt.outcomes()) {
      verdicts[outcome.name()].insert(outcome.outcome());
    }
  }
  bool flaky = false;
  for (const auto& [name, seen] : verdicts) {
    if (seen.count(proto::Outcome::passed) &&
        (seen.count(proto::Outcome::failed) || seen.count(proto::Outcome::xfailed))) {
      flaky = true;
    }
  }
  if (!flaky) return;
  for (proto::TestGroupResult& attempt : *record->mutable_attempts()) attempt.set_flaky(true);
}

proto::TestRunRecord RunTestRun(const TestRunInput& input, PluginSource& plugins,
                                const std::function<absl::Time()>& now) {
  proto::TestRunRecord record;
  record.set_testid(input.testid);
  record.set_label(input.spec.label());
  record.set_role(input.role);
  const proto::Tentacle& dut = input.tentacles[input.dut];
  record.set_board(dut.board().name());
  record.set_variant(input.firmware.empty() ? "" : input.firmware[input.dut].variant());
  for (const proto::Tentacle& tentacle : input.tentacles) {
    record.add_tentacles(tentacle.entry().label());
  }
  record.set_start_s(Seconds(now()));
  int successes = 0;
  int errors = 0;
  bool prepared = false;
  for (int attempt = 0;; ++attempt) {
    proto::TestGroupResult group = DescribeAttempt(input, attempt);
    ReportedVerdicts reported;
    std::string dir = absl::StrCat(input.results_dir, "/", group.directory_relative());
    group.set_start_s(Seconds(now()));
    group.set_time_start(AnchorTime(now()));
    group.set_msg_error(report::kNeverFinished);
    group.set_log_output(absl::StrCat(group.directory_relative(), "/testresults.txt"));
    absl::Status status = MakeDirs(dir);
    if (status.ok()) status = WriteJsonAtomically(dir + "/context_testgroup.json", group);
    group.clear_msg_error();
    // Flash on the first attempt, and again after an infrastructure error.
    for (int i = 0; status.ok() && !prepared && i < static_cast<int>(input.tentacles.size()); ++i) {
      bool flashed = false;
      const double prepare_start_s = Seconds(now());
      status = PrepareTentacle(input.tentacles[i], input.firmware[i], input.options,
                               dir + "/flashing_stdout.txt", plugins, &flashed);
      if (flashed && i == input.dut) {
        record.set_flashed(true);
        record.set_flash_start_s(prepare_start_s);  // the report's flash bar
        record.set_flash_end_s(Seconds(now()));
      }
      if (!status.ok()) record.set_faulty_tentacle(input.tentacles[i].entry().label());
    }
    if (status.ok()) prepared = true;
    absl::StatusOr<Harness*> harness = plugins.GetHarness(input.spec.harness());
    if (status.ok() && !harness.ok()) status = harness.status();
    if (status.ok()) {
      proto::HarnessRequest request;
      *request.mutable_spec() = input.spec;
      for (const proto::Tentacle& tentacle : input.tentacles) *request.add_tentacles() = tentacle;
      if (!input.firmware.empty()) *request.mutable_firmware() = input.firmware[input.dut];
      request.set_tests_dir(input.tests_dir);
      request.set_result_dir(dir);
      request.set_timeout_s(input.spec.timeout_s());
      if (!input.options.cache_dir.empty()) {
        request.set_cache_dir(absl::StrCat(input.options.cache_dir, "/harness"));
      }
      // Each test the harness reports goes to the campaign over the bus as it happens (the
      // console's progress); the ended ones are kept here too, for an attempt that errors.
      (*harness)->SetTestReporter(
          [&input, attempt = group.attempt(), &reported](const proto::TestProgress& progress) {
            if (progress.ended()) {
              std::lock_guard<std::mutex> lock(reported.mutex);
              reported.outcomes.push_back(progress.outcome());
            }
            // Outside a supervised child or inline call (a unit test) nobody listens.
            bus::SendEvent(MakeTestEvent(input, attempt, progress)).IgnoreError();
          });
      absl::StatusOr<proto::HarnessResult> result = (*harness)->Run(request);
      (*harness)->SetTestReporter(nullptr);
      if (result.ok()) {
        for (const proto::TestOutcome& outcome : result->outcomes()) {
          AddOutcome(input, outcome, &group);
        }
      } else if (absl::IsFailedPrecondition(result.status())) {
        group.set_msg_skipped(std::string(result.status().message()));
      } else {
        status = result.status();
      }
    }
    if (!status.ok()) {
      group.set_msg_error(std::string(status.message()));
      std::lock_guard<std::mutex> lock(reported.mutex);
      KeepKnownVerdicts(input, reported.outcomes, &group);
      prepared = false;
    }
    group.set_end_s(Seconds(now()));
    group.set_time_end(AnchorTime(now()));
    // An inline run the campaign abandoned at a second signal ends here after the campaign
    // marked this attempt interrupted (TestBartender::MarkInterrupted): that mark stays, as
    // results.json has it.
    proto::TestGroupResult on_disk;
    const bool taken_over = input.options.interrupted && input.options.interrupted() &&
                            ReadJson(dir + "/context_testgroup.json", &on_disk).ok() &&
                            !on_disk.msg_interrupted().empty();
    if (absl::Status written = taken_over
                                   ? absl::OkStatus()
                                   : WriteJsonAtomically(dir + "/context_testgroup.json", group);
        !written.ok()) {
      LOG(ERROR) << written;
    }
    *record.add_attempts() = group;
    const bool interrupted = input.options.interrupted && input.options.interrupted();
    if (!status.ok()) {
      record.set_error(group.msg_error());
      // Not retried: the host's error (the same again), and a plugin's deterministic one (it
      // threw: INTERNAL; a configuration it refuses: INVALID_ARGUMENT, UNIMPLEMENTED).
      if (++errors > input.options.max_retries || IsHostResourceError(group.msg_error()) ||
          IsDeterministicError(status) || interrupted) {
        break;
      }
      PowerCycleForRetry(input.tentacles, plugins);
      continue;
    }
    if (interrupted) break;
    record.clear_error();
    record.clear_faulty_tentacle();
    if (!group.msg_skipped().empty()) break;
    ++successes;
    int failed = 0;
    for (const proto::Outcome& outcome : group.outcomes()) {
      failed += outcome.outcome() == proto::Outcome::failed;
    }
    if (failed == 0 && successes == 1) break;  // no failure: assume it is not flaky
    if (successes >= input.options.count) break;
  }
  MarkFlaky(&record);
  record.set_end_s(Seconds(now()));
  return record;
}

}  // namespace mptest::sched
