// Planning a native run with run-tests.py --dry-run; see run_tests_plan.h.
#include "plugins/harnesses/run_tests_plan.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/process/subprocess.h"
#include "core/report/results_json.h"
#include "plugins/harnesses/script_harness.h"
#include "plugins/harnesses/test_selection.h"

namespace mptest::harnesses {
namespace {

namespace fs = std::filesystem;

// Whether run-tests.py knows --dry-run (its --help says so).
bool SupportsDryRun(const std::string& python, const std::string& tests_dir) {
  process::CommandOptions command;
  command.argv = {python, "run-tests.py", "--help"};
  command.cwd = tests_dir;
  command.timeout = absl::Seconds(30);
  absl::StatusOr<process::CommandResult> result = process::RunCommand(command);
  return result.ok() && result->ok() && absl::StrContains(result->output, "--dry-run");
}

}  // namespace

namespace {

// run-tests.py against the request's DUT: the command without its selection.
process::CommandOptions RunTestsCommand(const proto::HarnessRequest& request,
                                        const std::string& python, const std::string& work_dir,
                                        absl::Duration timeout) {
  const proto::Tentacle& dut = request.tentacles(0);
  const std::string instance = TestInstance(dut, request.firmware());
  process::CommandOptions command;
  command.argv = {python, "run-tests.py", absl::StrCat("--test-instance=", instance),
                  absl::StrCat("--result-dir=", fs::absolute(work_dir).string())};
  command.cwd = request.tests_dir();
  command.env_set = {{"PYTHONUNBUFFERED", "1"}};
  if (instance == "unix") {
    command.env_set["MICROPY_MICROPYTHON"] = FlashedImage(dut, request.firmware());
    if (!request.firmware().mpy_cross().empty()) {
      command.env_set["MICROPY_MPYCROSS"] = request.firmware().mpy_cross();
    }
  }
  command.stdout_path = (fs::path(work_dir) / "testresults.txt").string();
  command.timeout = timeout;
  return command;
}

absl::StatusOr<std::vector<proto::TestOutcome>> RunAndRead(const process::CommandOptions& command,
                                                           const std::string& work_dir,
                                                           bool allow_found) {
  std::error_code error;
  fs::create_directories(work_dir, error);
  absl::StatusOr<process::CommandResult> result = process::RunCommand(command);
  if (!result.ok()) return result.status();
  absl::StatusOr<std::vector<proto::TestOutcome>> listed =
      report::ReadResultsJson((fs::path(work_dir) / "_results.json").string(), allow_found);
  if (!result->ok() || !listed.ok()) {
    return absl::UnavailableError(
        absl::StrCat(absl::StrJoin(command.argv.begin() + 1, command.argv.begin() + 3, " "), " ",
                     result->Describe(), " (", listed.ok() ? "see " : listed.status().message(),
                     listed.ok() ? "" : "; see ", command.stdout_path, ")"));
  }
  return listed;
}

}  // namespace

namespace {

// Every test of the kind, before a shard takes its part.
absl::StatusOr<TestPlan> PlanKind(const proto::HarnessRequest& request, const std::string& python,
                                  const std::string& work_dir, absl::Duration timeout) {
  // The spec's own selection first: it validates the arguments either way.
  absl::StatusOr<RunTestsSelection> selection =
      ParseRunTestsArgs(request.spec(), request.tests_dir());
  if (!selection.ok()) return selection.status();
  TestPlan plan;
  if (!SupportsDryRun(python, request.tests_dir())) {
    absl::StatusOr<std::vector<std::string>> selected =
        SelectTestFiles(request.spec(), request.tests_dir());
    if (!selected.ok()) return selected.status();
    plan.run = std::move(*selected);
    plan.order = plan.run;
    return plan;
  }
  // Without files or directories run-tests.py chooses its defaults for the target it finds.
  process::CommandOptions command = RunTestsCommand(request, python, work_dir, timeout);
  command.argv.insert(command.argv.begin() + 2, "--dry-run");
  const std::vector<std::string> args = selection->RunnerArgs();
  command.argv.insert(command.argv.end(), args.begin(), args.end());
  command.stdout_path = (fs::path(work_dir) / "dry_run.txt").string();
  absl::StatusOr<std::vector<proto::TestOutcome>> listed =
      RunAndRead(command, work_dir, /*allow_found=*/true);
  if (!listed.ok()) return listed.status();
  plan.from_run_tests = true;
  // "platform=linux arch=x64 thread=unsafe ...": run-tests.py's -march for mpy-cross.
  std::ifstream platform_line(command.stdout_path);
  std::string first;
  std::getline(platform_line, first);
  for (absl::string_view field : absl::StrSplit(first, ' ', absl::SkipEmpty())) {
    if (absl::ConsumePrefix(&field, "arch=")) {
      plan.mpy_cross_flags.push_back(absl::StrCat("-march=", field));
    } else if (absl::ConsumePrefix(&field, "arch_flags=")) {
      plan.mpy_cross_flags.push_back(absl::StrCat("-march-flags=", field));
    }
  }
  for (proto::TestOutcome& test : *listed) {
    plan.order.push_back(test.name());
    if (test.outcome() == "found") {
      plan.run.push_back(test.name());
    } else {
      plan.skipped.push_back(std::move(test));
    }
  }
  return plan;
}

}  // namespace

void KeepShard(const proto::TestRunSpec& spec, TestPlan* plan) {
  if (spec.shard_count() <= 1) return;
  absl::flat_hash_set<std::string> mine;
  for (size_t i = 0; i < plan->order.size(); ++i) {
    if (static_cast<int>(i % spec.shard_count()) == spec.shard_index() - 1) {
      mine.insert(plan->order[i]);
    }
  }
  auto not_mine = [&mine](const std::string& test) { return !mine.contains(test); };
  plan->run.erase(std::remove_if(plan->run.begin(), plan->run.end(), not_mine), plan->run.end());
  plan->order.erase(std::remove_if(plan->order.begin(), plan->order.end(), not_mine),
                    plan->order.end());
  plan->skipped.erase(
      std::remove_if(plan->skipped.begin(), plan->skipped.end(),
                     [&not_mine](const proto::TestOutcome& test) { return not_mine(test.name()); }),
      plan->skipped.end());
}

absl::StatusOr<TestPlan> PlanTests(const proto::HarnessRequest& request, const std::string& python,
                                   const std::string& work_dir, absl::Duration timeout) {
  absl::StatusOr<TestPlan> plan = PlanKind(request, python, work_dir, timeout);
  if (plan.ok()) KeepShard(request.spec(), &*plan);
  return plan;
}

absl::StatusOr<std::vector<proto::TestOutcome>> RunWithRunTests(
    const proto::HarnessRequest& request, const std::vector<std::string>& tests,
    const std::string& python, const std::string& work_dir, absl::Duration timeout) {
  absl::StatusOr<RunTestsSelection> selection =
      ParseRunTestsArgs(request.spec(), request.tests_dir());
  if (!selection.ok()) return selection.status();
  RunTestsSelection only = *selection;
  only.files = tests;
  only.dirs.clear();
  only.filters.clear();
  process::CommandOptions command = RunTestsCommand(request, python, work_dir, timeout);
  const std::vector<std::string> args = only.RunnerArgs();
  command.argv.insert(command.argv.end(), args.begin(), args.end());
  return RunAndRead(command, work_dir, /*allow_found=*/false);
}

}  // namespace mptest::harnesses
