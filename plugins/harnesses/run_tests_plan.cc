// Planning a native run with run-tests.py --dry-run; see run_tests_plan.h.
#include "plugins/harnesses/run_tests_plan.h"

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/process/subprocess.h"
#include "plugins/harnesses/results_json.h"
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

absl::StatusOr<TestPlan> PlanTests(const proto::HarnessRequest& request, const std::string& python,
                                   const std::string& work_dir, absl::Duration timeout) {
  // The spec's own selection first: it validates the arguments either way.
  absl::StatusOr<std::vector<std::string>> selected =
      SelectTestFiles(request.spec(), request.tests_dir());
  if (!selected.ok()) return selected.status();
  TestPlan plan;
  if (!SupportsDryRun(python, request.tests_dir())) {
    plan.run = std::move(*selected);
    plan.order = plan.run;
    return plan;
  }
  absl::StatusOr<std::vector<std::string>> args =
      ExpandTestArgs(request.spec(), request.tests_dir());
  if (!args.ok()) return args.status();
  std::error_code error;
  fs::create_directories(work_dir, error);
  process::CommandOptions command;
  command.argv = {python, "run-tests.py", "--dry-run",
                  absl::StrCat("--test-instance=port:", request.tentacles(0).console()),
                  absl::StrCat("--result-dir=", fs::absolute(work_dir).string())};
  bool has_selection = false;
  for (const std::string& arg : *args) {
    if (!absl::StartsWith(arg, "-") || arg == "-d" || absl::StartsWith(arg, "--test-dirs")) {
      has_selection = true;
    }
  }
  if (has_selection) {
    command.argv.insert(command.argv.end(), args->begin(), args->end());
  } else {  // run-tests.py's own defaults would differ from ours: name ours
    command.argv.insert(command.argv.end(), selected->begin(), selected->end());
  }
  command.cwd = request.tests_dir();
  command.env_set = {{"PYTHONUNBUFFERED", "1"}};
  command.stdout_path = (fs::path(work_dir) / "dry_run.txt").string();
  command.timeout = timeout;
  absl::StatusOr<process::CommandResult> result = process::RunCommand(command);
  if (!result.ok()) return result.status();
  absl::StatusOr<std::vector<proto::TestOutcome>> listed =
      ReadResultsJson((fs::path(work_dir) / "_results.json").string(), /*allow_found=*/true);
  if (!result->ok() || !listed.ok()) {
    return absl::UnavailableError(absl::StrCat("run-tests.py --dry-run ", result->Describe(), " (",
                                               listed.ok() ? "see " : listed.status().message(),
                                               listed.ok() ? "" : "; see ", command.stdout_path,
                                               ")"));
  }
  plan.from_run_tests = true;
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

}  // namespace mptest::harnesses
