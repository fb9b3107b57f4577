// The run-tests.py family of harnesses; see script_harness.h.
#include "plugins/harnesses/script_harness.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "core/process/subprocess.h"
#include "core/report/results_json.h"
#include "plugins/harnesses/test_selection.h"

namespace mptest::harnesses {
namespace {

namespace fs = std::filesystem;

// Reports run-tests.py's (or run-natmodtests.py's) verdicts as its output gives them, so that
// the campaign sees the tests
// tick by; the verdicts still come from _results.json at the end (Finish reports the ones the
// output did not give, or gave otherwise).
class LiveVerdicts {
 public:
  explicit LiveVerdicts(const Harness& harness) : harness_(harness) {}

  void Line(absl::string_view line) {
    std::optional<proto::TestOutcome> outcome = ParseRunTestsVerdictLine(line);
    if (!outcome) return;
    seen_.insert({outcome->name(), outcome->outcome()});
    harness_.ReportTestEnded(static_cast<int>(seen_.size()), 0, *outcome);  // total: not known
  }

  void Finish(const std::vector<proto::TestOutcome>& outcomes) const {
    const int total = static_cast<int>(outcomes.size());
    for (int i = 0; i < total; ++i) {
      if (!seen_.count({outcomes[i].name(), outcomes[i].outcome()})) {
        harness_.ReportTestEnded(i + 1, total, outcomes[i]);
      }
    }
  }

 private:
  const Harness& harness_;
  std::set<std::pair<std::string, std::string>> seen_;  // name, outcome
};

std::string FileTail(const std::string& path, int lines) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::vector<std::string> all = absl::StrSplit(text.str(), '\n', absl::SkipEmpty());
  const size_t start = all.size() > static_cast<size_t>(lines) ? all.size() - lines : 0;
  return absl::StrJoin(all.begin() + start, all.end(), "\n");
}

// Older runners leave failed tests' .exp/.out in <tests>/results; keep them with the run.
void KeepFailureFiles(const std::vector<proto::TestOutcome>& outcomes, const std::string& tests_dir,
                      const std::string& result_dir) {
  for (const proto::TestOutcome& test : outcomes) {
    if (test.outcome() != "fail") continue;
    const std::string base = absl::StrReplaceAll(test.name(), {{"/", "_"}});
    for (const char* suffix : {".exp", ".out"}) {
      const fs::path kept = fs::path(result_dir) / (base + suffix);
      const fs::path old = fs::path(tests_dir) / "results" / (base + suffix);
      std::error_code error;
      if (!fs::exists(kept, error) && fs::exists(old, error)) fs::copy_file(old, kept, error);
    }
  }
}

// run-tests.py lists every test it selected in _results.json, skipped ones included. When the
// spec names its tests (files or -d directories, no -e/-i filter), every one must be there: a
// runner that drops tests must not pass for the ones it ran.
absl::Status CheckEverySelectedTestReported(const proto::HarnessRequest& request,
                                            const std::vector<proto::TestOutcome>& outcomes,
                                            const std::string& output_path) {
  absl::StatusOr<RunTestsSelection> selection =
      ParseRunTestsArgs(request.spec(), request.tests_dir());
  if (!selection.ok() || !selection->filters.empty() ||
      (selection->files.empty() && selection->dirs.empty())) {
    return absl::OkStatus();  // run-tests.py's own choice (defaults, filters): nothing to hold
  }
  absl::StatusOr<std::vector<std::string>> selected =
      SelectTestFiles(request.spec(), request.tests_dir());
  if (!selected.ok()) return absl::OkStatus();
  std::set<std::string> reported;
  for (const proto::TestOutcome& outcome : outcomes) reported.insert(outcome.name());
  std::vector<std::string> missing;
  for (const std::string& test : *selected) {
    if (!reported.count(test)) missing.push_back(test);
  }
  if (missing.empty()) return absl::OkStatus();
  const size_t shown = std::min<size_t>(missing.size(), 5);
  return absl::DataLossError(absl::StrCat(
      "run-tests.py (spec ", request.spec().label(), ") reported ",
      selected->size() - missing.size(), " of the ", selected->size(),
      " selected tests; no verdict for ",
      absl::StrJoin(missing.begin(), missing.begin() + shown, ", "),
      missing.size() > shown ? absl::StrCat(" and ", missing.size() - shown, " more") : "",
      "; output: ", output_path));
}

}  // namespace

std::optional<proto::TestOutcome> ParseRunTestsVerdictLine(absl::string_view line) {
  // run-tests.py: print("pass ", test_file, extra_info), and so on: the word, two spaces.
  // run-natmodtests.py: print("{:4}  {}{}".format(result, test_file, extra)), its words in
  // capitals but "pass".
  static constexpr std::pair<const char*, const char*> kWords[] = {
      {"pass  ", "pass"}, {"FAIL  ", "fail"}, {"skip  ", "skip"},      {"lrge  ", "skip"},
      {"SKIP  ", "skip"}, {"LRGE  ", "skip"}, {"TRUTH FAIL  ", "fail"}};
  for (const auto& [prefix, outcome] : kWords) {
    if (!absl::ConsumePrefix(&line, prefix)) continue;
    const absl::string_view name = line.substr(0, line.find(' '));
    if (name.empty()) return std::nullopt;
    proto::TestOutcome verdict;
    verdict.set_name(std::string(name));
    verdict.set_outcome(outcome);
    if (absl::EqualsIgnoreCase(prefix, "lrge  ")) verdict.set_reason("too large");
    return verdict;
  }
  return std::nullopt;
}

const char* RunnerPluginName(RunnerKind kind) {
  switch (kind) {
    case RunnerKind::kRunTests:
      return "run_tests";
    case RunnerKind::kRunMultitests:
      return "run_multitests";
    case RunnerKind::kRunPerfbench:
      return "run_perfbench";
    case RunnerKind::kRunNatmodtests:
      return "run_natmodtests";
  }
  return "";
}

const char* RunnerScript(RunnerKind kind) {
  switch (kind) {
    case RunnerKind::kRunTests:
      return "run-tests.py";
    case RunnerKind::kRunMultitests:
      return "run-multitests.py";
    case RunnerKind::kRunPerfbench:
      return "run-perfbench.py";
    case RunnerKind::kRunNatmodtests:
      return "run-natmodtests.py";
  }
  return "";
}

std::string FlashedImage(const proto::Tentacle& tentacle, const proto::Firmware& firmware) {
  std::error_code error;
  auto flashed = tentacle.runtime().find("firmware");
  if (flashed != tentacle.runtime().end() && fs::is_regular_file(flashed->second, error)) {
    return fs::absolute(flashed->second, error).string();
  }
  auto initial = tentacle.entry().tags().find("firmware");
  if (initial != tentacle.entry().tags().end()) return initial->second;
  return firmware.path();
}

std::string TestInstance(const proto::Tentacle& tentacle, const proto::Firmware& firmware) {
  const auto& tags = tentacle.entry().tags();
  auto tag = tags.find("test_instance");
  std::string wanted = tag == tags.end() ? "" : tag->second;
  if (wanted.empty() && tentacle.board().port() == "unix") wanted = "unix";
  auto console = tags.find("console");
  if (wanted.empty() && tentacle.entry().type() == "execpty" && console != tags.end() &&
      console->second == "announced") {
    wanted = "execpty";
  }
  if (wanted == "unix") return "unix";
  if (wanted == "execpty") {
    std::vector<std::string> command;
    for (const std::string& arg : tentacle.entry().command()) {
      command.push_back(
          absl::StrReplaceAll(arg, {{"{firmware}", FlashedImage(tentacle, firmware)}}));
    }
    return absl::StrCat("execpty:", absl::StrJoin(command, " "));
  }
  return absl::StrCat("port:", tentacle.console());
}

absl::StatusOr<RunnerCommand> PlanRunnerCommand(RunnerKind kind,
                                                const proto::HarnessRequest& request,
                                                const ScriptHarnessOptions& options) {
  const std::string& label = request.spec().label();
  const int needed = kind == RunnerKind::kRunMultitests ? 2 : 1;
  if (request.tentacles_size() < needed) {
    return absl::InvalidArgumentError(absl::StrCat("spec ", label, ": ", RunnerPluginName(kind),
                                                   " needs ", needed, " tentacle(s), got ",
                                                   request.tentacles_size()));
  }
  if (request.result_dir().empty() || request.tests_dir().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("spec ", label, ": the request needs tests_dir and result_dir"));
  }
  const fs::path script = fs::path(request.tests_dir()) / RunnerScript(kind);
  if (!fs::exists(script)) {
    return absl::NotFoundError(absl::StrCat("spec ", label, ": ", script.string(),
                                            " does not exist (expected a micropython tests/ "
                                            "directory)"));
  }
  absl::StatusOr<std::vector<std::string>> args =
      ExpandTestArgs(request.spec(), request.tests_dir());
  if (!args.ok()) return args.status();

  RunnerCommand command;
  command.cwd = request.tests_dir();
  command.argv = {options.python, RunnerScript(kind)};
  for (int i = 0; i < needed; ++i) {
    command.argv.push_back(
        absl::StrCat("--test-instance=", TestInstance(request.tentacles(i), request.firmware())));
  }
  command.argv.push_back(
      absl::StrCat("--result-dir=", fs::absolute(request.result_dir()).string()));
  if (kind == RunnerKind::kRunPerfbench) {
    const auto& perf = request.tentacles(0).board().perftest_args();
    if (perf.empty()) {
      command.argv.insert(command.argv.end(), {"100", "100"});
    } else {
      command.argv.insert(command.argv.end(), perf.begin(), perf.end());
    }
  }
  command.argv.insert(command.argv.end(), args->begin(), args->end());

  command.env = {{"PYTHONUNBUFFERED", "1"},
                 {"MICROPY_TEST_TIMEOUT", options.default_test_timeout_s}};
  const bool via_mpy = std::find(args->begin(), args->end(), "--via-mpy") != args->end();
  if (via_mpy && !request.firmware().mpy_cross().empty()) {
    command.env["MICROPY_MPYCROSS"] = request.firmware().mpy_cross();
  }
  if (command.argv[2] == "--test-instance=unix") {
    const std::string binary = FlashedImage(request.tentacles(0), request.firmware());
    if (!binary.empty()) command.env["MICROPY_MICROPYTHON"] = binary;
  }
  for (const auto& [name, value] : request.spec().env()) command.env[name] = value;
  return command;
}

ScriptHarness::ScriptHarness(RunnerKind kind, ScriptHarnessOptions options)
    : kind_(kind), options_(std::move(options)) {}

absl::StatusOr<proto::HarnessResult> ScriptHarness::Run(const proto::HarnessRequest& request) {
  if (request.spec().shard_count() > 1) {  // the runner script chooses and runs its tests whole
    return absl::InvalidArgumentError(absl::StrCat(
        "spec ", request.spec().shard_of(), ": split: the ", request.spec().harness(),
        " harness runs its script over the whole selection; split works with the native harness"));
  }
  absl::StatusOr<RunnerCommand> planned = PlanRunnerCommand(kind_, request, options_);
  if (!planned.ok()) return planned.status();
  std::error_code error;
  fs::create_directories(request.result_dir(), error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot create ", request.result_dir(), ": ", error.message()));
  }
  const fs::path result_dir = fs::absolute(request.result_dir());
  const std::string output_path = (result_dir / "testresults.txt").string();
  {
    std::ofstream header(result_dir / "command.txt");
    header << "cd " << planned->cwd << "\n";
    for (const auto& [name, value] : planned->env)
      header << "export " << name << "=" << value << "\n";
    header << absl::StrJoin(planned->argv, " ") << "\n";
  }

  process::CommandOptions command;
  command.argv = planned->argv;
  command.cwd = planned->cwd;
  command.env_set = planned->env;
  command.stdout_path = output_path;
  const double timeout_s =
      request.timeout_s() > 0 ? request.timeout_s() : request.spec().timeout_s();
  if (timeout_s > 0) command.timeout = absl::Seconds(timeout_s);
  LiveVerdicts live(*this);
  if (kind_ == RunnerKind::kRunTests || kind_ == RunnerKind::kRunNatmodtests) {
    command.on_line = [&live](absl::string_view line) { live.Line(line); };
  }
  const absl::Time start = absl::Now();
  absl::StatusOr<process::CommandResult> result = process::RunCommand(command);
  if (!result.ok()) return result.status();
  {
    std::ofstream footer(output_path, std::ios::app);
    footer << "\n"
           << RunnerScript(kind_) << " " << result->Describe() << ", duration "
           << absl::FormatDuration(absl::Now() - start) << "\n";
  }
  const std::string name =
      absl::StrCat(RunnerScript(kind_), " (spec ", request.spec().label(), ")");
  if (result->timed_out) {
    return absl::DeadlineExceededError(
        absl::StrCat(name, " ", result->Describe(), "; output: ", output_path));
  }
  const std::string results_json = (result_dir / "_results.json").string();
  absl::StatusOr<std::vector<proto::TestOutcome>> outcomes = report::ReadResultsJson(results_json);
  if (!outcomes.ok()) {
    // The exit status is not trusted either way: no verdicts without _results.json.
    return absl::UnavailableError(absl::StrCat(
        name, " ", result->Describe(), " and left no usable _results.json (",
        outcomes.status().message(), "); output: ", output_path, "\n", FileTail(output_path, 15)));
  }
  if (kind_ == RunnerKind::kRunTests) {
    if (absl::Status status = CheckEverySelectedTestReported(request, *outcomes, output_path);
        !status.ok()) {
      return status;
    }
  }
  KeepFailureFiles(*outcomes, request.tests_dir(), result_dir.string());
  // run-tests.py's and run-natmodtests.py's verdicts were reported as they printed them; the
  // other runners give theirs at their end: they are reported now, in their order.
  live.Finish(*outcomes);
  proto::HarnessResult harness_result;
  for (proto::TestOutcome& outcome : *outcomes) *harness_result.add_outcomes() = std::move(outcome);
  harness_result.set_results_json(results_json);
  return harness_result;
}

}  // namespace mptest::harnesses
