// The native harness; see native_harness.h.
#include "plugins/harnesses/native_harness.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "core/repl/raw_repl_client.h"
#include "core/report/atomic_file.h"
#include "core/report/results_json.h"
#include "plugins/harnesses/expected_output.h"
#include "plugins/harnesses/mpremote_tests.h"
#include "plugins/harnesses/run_tests_plan.h"
#include "plugins/harnesses/run_tests_rules.h"
#include "plugins/harnesses/script_harness.h"
#include "plugins/harnesses/test_selection.h"

namespace mptest::harnesses {
namespace {

namespace fs = std::filesystem;

constexpr absl::Duration kControlTimeout = absl::Seconds(10);  // enter raw mode, soft reset

// One raw-REPL connection to the DUT, kept for the whole run and re-established on trouble.
class BoardSession {
 public:
  BoardSession(std::string console, proto::BoardDefinition board)
      : console_(std::move(console)), board_(std::move(board)) {}

  absl::Status Connect() {
    client_.reset();
    absl::StatusOr<std::unique_ptr<repl::RawReplClient>> client =
        repl::RawReplClient::OpenBoard(console_, board_);
    if (!client.ok()) return client.status();
    client_ = std::move(*client);
    return client_->EnterRawRepl(absl::Now() + kControlTimeout);
  }

  // Interrupt and re-enter raw mode; reopen the console if that does not work.
  absl::Status Recover() {
    if (client_ != nullptr) {
      client_->Interrupt(absl::Now() + absl::Seconds(2)).IgnoreError();
      if (client_->EnterRawRepl(absl::Now() + kControlTimeout).ok()) return absl::OkStatus();
    }
    absl::Status status = Connect();
    if (!status.ok()) {
      return absl::UnavailableError(
          absl::StrCat("the board on ", console_,
                       " cannot be brought back to the raw REPL: ", status.message()));
    }
    return absl::OkStatus();
  }

  // Gets the board to a freshly soft-reset raw prompt. An error means the board is gone.
  absl::Status Prepare() {
    if (client_ != nullptr && client_->in_raw_repl() && std::exchange(fresh_, false)) {
      return absl::OkStatus();  // the last test's SystemExit soft-reset the board already
    }
    if (client_ == nullptr || !client_->in_raw_repl()) {
      if (absl::Status status = Recover(); !status.ok()) return status;
    }
    if (client_->SoftReset(absl::Now() + kControlTimeout).ok()) return absl::OkStatus();
    if (absl::Status status = Recover(); !status.ok()) return status;
    if (absl::Status status = client_->SoftReset(absl::Now() + kControlTimeout); !status.ok()) {
      return absl::UnavailableError(
          absl::StrCat("the board on ", console_, " does not soft-reset: ", status.message()));
    }
    return absl::OkStatus();
  }

  // Runs a test's code at the prepared raw prompt. Errors (timeout, reboot, lost line) are the
  // test's outcome; call Recover before the next test.
  absl::StatusOr<repl::ExecResult> Execute(absl::string_view code, absl::Duration timeout) {
    absl::StatusOr<repl::ExecResult> result = client_->Execute(code, absl::Now() + timeout);
    fresh_ = result.ok() && result->soft_rebooted;
    if (client_->raw_paste() != repl::RawReplClient::RawPaste::kUntried) {
      raw_paste_ = client_->raw_paste();
      plain_options_ = client_->options();
    }
    return result;
  }

  // How code reached the board, for the run's log: raw paste, or the plain raw mode it fell
  // back to (firmware before v1.14) with the board's pacing.
  std::string Transport() const {
    if (raw_paste_ == repl::RawReplClient::RawPaste::kSupported) return "raw paste";
    if (raw_paste_ == repl::RawReplClient::RawPaste::kUntried) return "no code sent";
    return absl::StrCat("plain raw mode (the firmware has no raw paste), ",
                        plain_options_.plain_chunk_bytes, "-byte chunks every ",
                        absl::FormatDuration(plain_options_.plain_chunk_delay));
  }

 private:
  std::string console_;
  proto::BoardDefinition board_;  // its baud rate and raw-REPL pacing
  std::unique_ptr<repl::RawReplClient> client_;
  bool fresh_ = false;  // soft-reset since the last test
  repl::RawReplClient::RawPaste raw_paste_ = repl::RawReplClient::RawPaste::kUntried;
  repl::ClientOptions plain_options_;
};

void WriteFile(const fs::path& path, absl::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

double TestTimeoutSeconds(const proto::TestRunSpec& spec, double fallback) {
  double seconds = 0;
  auto it = spec.env().find("MICROPY_TEST_TIMEOUT");
  if (it != spec.env().end() && absl::SimpleAtod(it->second, &seconds) && seconds > 0) {
    return seconds;
  }
  return fallback;
}

}  // namespace

proto::TestOutcome JudgeTest(const std::string& test, const RemoteOutput& output,
                             const std::string& expected, const absl::Status& error,
                             absl::Duration duration, const std::string& result_dir) {
  const TestVerdict verdict = DecideTest(test, output, expected);
  proto::TestOutcome outcome;
  outcome.set_name(test);
  outcome.set_outcome(verdict.outcome);
  outcome.set_reason(verdict.reason);
  if (!error.ok()) outcome.set_reason(std::string(error.message()));
  outcome.set_duration_s(absl::ToDoubleSeconds(duration));
  if (verdict.outcome == "fail" || verdict.outcome == "ignored") {
    const std::string base = absl::StrReplaceAll(test, {{"/", "_"}});
    WriteFile(fs::path(result_dir) / (base + ".exp"), expected);
    WriteFile(fs::path(result_dir) / (base + ".out"), output.output);
  }
  return outcome;
}

NativeHarness::NativeHarness(NativeHarnessOptions options) : options_(std::move(options)) {}

void SortLikeRunTests(const std::vector<std::string>& order,
                      std::vector<proto::TestOutcome>* outcomes) {
  absl::flat_hash_map<std::string, size_t> position;
  for (size_t i = 0; i < order.size(); ++i) position.emplace(order[i], i);
  std::stable_sort(outcomes->begin(), outcomes->end(),
                   [&position](const proto::TestOutcome& a, const proto::TestOutcome& b) {
                     return position[a.name()] < position[b.name()];
                   });
}

NativeHarness::RunState NativeHarness::RunTestFiles(const proto::HarnessRequest& request,
                                                    const RunTestsSelection& selection,
                                                    const std::string& result_dir,
                                                    std::ostream& log) const {
  const std::string& label = request.spec().label();
  const proto::Tentacle& dut = request.tentacles(0);
  const double test_timeout_s = TestTimeoutSeconds(request.spec(), options_.default_test_timeout_s);
  const absl::Time run_deadline = request.timeout_s() > 0
                                      ? absl::Now() + absl::Seconds(request.timeout_s())
                                      : absl::InfiniteFuture();
  RunState run;
  // Plan first: run-tests.py --dry-run needs the console to itself.
  absl::StatusOr<TestPlan> plan = PlanTests(
      request, options_.python, (fs::path(result_dir) / "dry_run").string(), absl::Seconds(300));
  if (!plan.ok()) {
    run.status = absl::Status(plan.status().code(),
                              absl::StrCat("spec ", label, ": ", plan.status().message()));
    return run;
  }
  // The console counts every test of the plan; skipped ones end at once.
  const int total = static_cast<int>(plan->skipped.size() + plan->run.size());
  const int first_run = static_cast<int>(plan->skipped.size()) + 1;
  for (const proto::TestOutcome& skipped : plan->skipped) {
    log << "skip  " << skipped.name() << "\n";
    run.outcomes.push_back(skipped);
    ReportTestEnded(static_cast<int>(run.outcomes.size()), total, skipped);
  }
  // CPython's runs for expected output obey the same bound as the board's: a hanging test must
  // not outlast the run on the host either.
  ExpectedOutputs expectations(
      request.tests_dir(), plan->run, options_.python,
      std::max(std::min(absl::Seconds(test_timeout_s), run_deadline - absl::Now()),
               absl::Milliseconds(100)),
      selection.emit, request.cache_dir());
  if (TestInstance(dut, request.firmware()) == "unix") {
    RunOnUnixPort(request, selection, plan->run, plan->mpy_cross_flags, expectations,
                  absl::Seconds(test_timeout_s), run_deadline, result_dir, first_run, total, log,
                  &run);
    SortLikeRunTests(plan->order, &run.outcomes);
    return run;
  }
  BoardSession board(dut.console(), dut.board());
  if (absl::Status status = board.Connect(); !status.ok()) {
    run.status = absl::UnavailableError(absl::StrCat("spec ", label, ": cannot reach the board on ",
                                                     dut.console(), ": ", status.message()));
    return run;
  }
  absl::Time last_checkpoint = absl::Now();
  for (size_t i = 0; i < plan->run.size(); ++i) {
    const std::string& test = plan->run[i];
    if (absl::Now() > run_deadline) {
      run.status = absl::DeadlineExceededError(
          absl::StrCat("spec ", label, ": the run's ", request.timeout_s(), " s ran out after ", i,
                       " of ", plan->run.size(), " tests"));
      return run;
    }
    const std::optional<std::string> script =
        report::TryReadFile((fs::path(request.tests_dir()) / test).string());
    if (!script) {
      run.status = absl::NotFoundError(absl::StrCat("spec ", label, ": cannot read ", test));
      return run;
    }
    if (absl::Status status = board.Prepare(); !status.ok()) {
      run.status = absl::UnavailableError(
          absl::StrCat("spec ", label, ": before ", test, ": ", status.message()));
      return run;
    }
    const bool special =
        absl::StartsWith(test, "cmdline/") || absl::StartsWith(test, "feature_check/");
    const int index = first_run + static_cast<int>(i);
    ReportTestStarted(index, total, test);
    const absl::Time test_start = absl::Now();
    // A test gets its own timeout, but never more than what is left of the run's: a board that
    // garbles its answer must not hold a 4 s run for the 60 s default per-test timeout.
    const absl::Duration test_budget =
        std::max(std::min(absl::Seconds(test_timeout_s), run_deadline - test_start),
                 absl::Milliseconds(100));
    absl::StatusOr<repl::ExecResult> result =
        board.Execute(special ? *script : PrependStartTest(*script), test_budget);
    RemoteRun remote;
    if (result.ok()) {
      remote.stdout_text = result->stdout_text;
      remote.stderr_text = result->stderr_text;
    } else {
      remote.error = result.status();
    }
    const RemoteOutput output = MakeRemoteOutput(remote, !special);
    absl::StatusOr<std::string> expected = expectations.Get(i);
    if (!expected.ok()) {
      run.status = expected.status();
      return run;
    }
    absl::Status error = result.status();
    if (error.code() == absl::StatusCode::kDeadlineExceeded) {
      error = absl::DeadlineExceededError(
          absl::StrCat("timeout after ", absl::ToDoubleSeconds(test_budget), " s"));
    }
    proto::TestOutcome outcome =
        JudgeTest(test, output, *expected, error, absl::Now() - test_start, result_dir);
    log << outcome.outcome() << "  " << test << "\n" << std::flush;
    ReportTestEnded(index, total, outcome);
    run.outcomes.push_back(outcome);
    // The verdicts so far, at most once a second: a run ended at its deadline or by a signal
    // keeps them (the core reads _results.json of an attempt that did not answer).
    if (absl::Now() - last_checkpoint > absl::Seconds(1)) {
      last_checkpoint = absl::Now();
      report::WriteResultsJson((fs::path(result_dir) / "_results.json").string(), run.outcomes, {})
          .IgnoreError();
    }
    // After an error the board needs bringing back. (A SystemExit, as tests that print SKIP
    // raise, soft-resets the board; the client waits for it to come back.)
    if (!result.ok()) {
      if (absl::Status recovered = board.Recover(); !recovered.ok()) {
        run.status = absl::UnavailableError(
            absl::StrCat("spec ", label, ": after ", test, ": ", recovered.message()));
        return run;
      }
    }
  }
  log << "code sent by " << board.Transport() << "\n";
  SortLikeRunTests(plan->order, &run.outcomes);
  return run;
}

NativeHarness::RunState NativeHarness::RunFlashFormat(const proto::HarnessRequest& request) const {
  const proto::Tentacle& dut = request.tentacles(0);
  RunState run;
  proto::TestOutcome outcome;
  outcome.set_name("format_flash");
  const std::string code = FlashFormatCode(dut.board().port());
  if (code.empty()) {
    outcome.set_outcome("skip");
    outcome.set_reason(absl::StrCat("no flash format for port '", dut.board().port(), "'"));
    run.outcomes.push_back(outcome);
    return run;
  }
  BoardSession board(dut.console(), dut.board());
  absl::Status status = board.Connect();
  if (status.ok()) status = board.Prepare();
  if (!status.ok()) {
    run.status = absl::UnavailableError(absl::StrCat("flash format: cannot reach the board on ",
                                                     dut.console(), ": ", status.message()));
    return run;
  }
  absl::StatusOr<repl::ExecResult> result = board.Execute(code, kControlTimeout * 6);
  if (result.ok() && !result->raised()) {
    outcome.set_outcome("pass");
    board.Prepare().IgnoreError();  // remount the fresh filesystem
  } else {
    outcome.set_outcome("fail");
    outcome.set_reason(result.ok() ? result->stderr_text : std::string(result.status().message()));
  }
  run.outcomes.push_back(outcome);
  return run;
}

absl::StatusOr<RunTestsSelection> CheckNativeSpec(const proto::HarnessRequest& request) {
  absl::StatusOr<RunTestsSelection> selection =
      ParseRunTestsArgs(request.spec(), request.tests_dir());
  if (!selection.ok()) return selection.status();
  const bool compiled = selection->via_mpy || selection->emit != "bytecode";
  if (compiled && request.tentacles_size() > 0 &&
      TestInstance(request.tentacles(0), request.firmware()) != "unix") {
    return absl::InvalidArgumentError(absl::StrCat(
        "spec ", request.spec().label(),
        ": the native harness runs --via-mpy and --emit native only on the unix port; on ",
        request.tentacles(0).board().name(), " use the run_tests harness"));
  }
  return selection;
}

std::string FlashFormatCode(absl::string_view port) {
  if (port == "rp2") return "import vfs, rp2\nvfs.VfsLfs2.mkfs(rp2.Flash(), progsize=256)\n";
  if (port == "stm32") return "import vfs, pyb\nvfs.VfsLfs2.mkfs(pyb.Flash(start=0))\n";
  return "";
}

absl::StatusOr<proto::HarnessResult> NativeHarness::Run(const proto::HarnessRequest& request) {
  const std::string& label = request.spec().label();
  if (request.tentacles_size() < 1) {
    return absl::InvalidArgumentError(absl::StrCat("spec ", label, ": native needs a tentacle"));
  }
  if (request.result_dir().empty() || request.tests_dir().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("spec ", label, ": the request needs tests_dir and result_dir"));
  }
  const auto& args = request.spec().args();
  const bool flash_format = std::find(args.begin(), args.end(), "--flash-format") != args.end();
  const bool mpremote = std::find(args.begin(), args.end(), "--mpremote-tests") != args.end();
  RunTestsSelection selection;
  if (!flash_format && !mpremote) {  // refuse a bad selection before touching anything
    absl::StatusOr<RunTestsSelection> parsed = CheckNativeSpec(request);
    if (!parsed.ok()) return parsed.status();
    selection = *std::move(parsed);
  }
  std::error_code error;
  const fs::path result_dir = fs::absolute(request.result_dir());
  fs::create_directories(result_dir, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot create ", result_dir.string(), ": ", error.message()));
  }

  std::ofstream log(result_dir / "testresults.txt", std::ios::trunc);
  const absl::Time start = absl::Now();
  RunState run;
  if (flash_format) {
    run = RunFlashFormat(request);
  } else if (mpremote) {
    MpremoteTestsOptions options;
    options.repo_dir = (fs::absolute(request.tests_dir()) / "..").lexically_normal().string();
    options.tty = request.tentacles(0).console();
    options.result_dir = result_dir.string();
    options.python = options_.python;
    absl::StatusOr<std::vector<proto::TestOutcome>> outcomes = RunMpremoteTests(options);
    if (outcomes.ok()) {
      run.outcomes = std::move(*outcomes);
    } else {
      run.status = outcomes.status();
    }
  } else {
    run = RunTestFiles(request, selection, result_dir.string(), log);
  }
  int failed = 0, skipped = 0;
  for (const proto::TestOutcome& outcome : run.outcomes) {
    failed += outcome.outcome() == "fail";
    skipped += outcome.outcome() == "skip";
  }
  log << run.outcomes.size() << " tests performed, " << run.outcomes.size() - failed - skipped
      << " passed, " << skipped << " skipped, " << failed << " failed in "
      << absl::FormatDuration(absl::Now() - start) << "\n";

  google::protobuf::Struct json_args;
  (*json_args.mutable_fields())["harness"].set_string_value("native");
  (*json_args.mutable_fields())["test_instance"].set_string_value("port:" +
                                                                  request.tentacles(0).console());
  const std::string results_json = (result_dir / "_results.json").string();
  if (absl::Status status = report::WriteResultsJson(results_json, run.outcomes, json_args);
      !status.ok()) {
    return status;
  }
  if (!run.status.ok()) return run.status;
  proto::HarnessResult harness_result;
  for (proto::TestOutcome& outcome : run.outcomes) {
    *harness_result.add_outcomes() = std::move(outcome);
  }
  harness_result.set_results_json(results_json);
  return harness_result;
}

}  // namespace mptest::harnesses
