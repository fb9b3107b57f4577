// The mpremote test suite; see mpremote_tests.h.
#include "plugins/harnesses/mpremote_tests.h"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "core/process/subprocess.h"

namespace mptest::harnesses {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<std::vector<proto::TestOutcome>> RunMpremoteTests(
    const MpremoteTestsOptions& options) {
  const fs::path suite = fs::path(options.repo_dir) / "tools" / "mpremote" / "tests";
  const fs::path mpremote = fs::path(options.repo_dir) / "tools" / "mpremote" / "mpremote.py";
  std::error_code error;
  if (!fs::is_directory(suite, error) || !fs::exists(mpremote, error)) {
    return absl::NotFoundError(absl::StrCat("no mpremote test suite: expected ", suite.string(),
                                            " and ", mpremote.string()));
  }
  std::vector<fs::path> scripts;
  for (const auto& entry : fs::directory_iterator(suite, error)) {
    const std::string name = entry.path().filename().string();
    if (absl::StartsWith(name, "test_") && absl::EndsWith(name, ".sh")) {
      scripts.push_back(entry.path());
    }
  }
  std::sort(scripts.begin(), scripts.end());

  std::vector<proto::TestOutcome> outcomes;
  for (const fs::path& script : scripts) {
    const absl::Time start = absl::Now();
    std::string tmp_template = (fs::temp_directory_path() / "mptest-mpremote-XXXXXX").string();
    if (mkdtemp(tmp_template.data()) == nullptr) {
      return absl::InternalError("cannot create a temporary directory for the mpremote tests");
    }
    const std::string tmp = tmp_template;
    process::CommandOptions command;
    command.argv = {"bash", script.string(), tmp};
    command.cwd = suite.string();
    command.env_set = {{"MPREMOTE", absl::StrCat(options.python, " ", mpremote.string(),
                                                 " connect ", options.tty)},
                       {"TMP", tmp},
                       {"PYTHONUNBUFFERED", "1"}};
    command.timeout = options.script_timeout;
    absl::StatusOr<process::CommandResult> result = process::RunCommand(command);
    fs::remove_all(tmp, error);
    if (!result.ok()) return result.status();

    proto::TestOutcome outcome;
    outcome.set_name(fs::path(script).lexically_relative(options.repo_dir).string());
    const std::string output = absl::StrReplaceAll(result->output, {{tmp, "${TMP}"}});
    const std::string expected = ReadAll(script.string() + ".exp");
    if (absl::StartsWith(output, "SKIP")) {
      outcome.set_outcome("skip");
    } else if (!result->timed_out && output == expected) {
      outcome.set_outcome("pass");
    } else {
      outcome.set_outcome("fail");
      if (result->timed_out) outcome.set_reason(result->Describe());
      const std::string base = script.filename().string();
      std::ofstream(fs::path(options.result_dir) / (base + ".out"), std::ios::binary) << output;
      std::ofstream(fs::path(options.result_dir) / (base + ".exp"), std::ios::binary) << expected;
    }
    outcome.set_duration_s(absl::ToDoubleSeconds(absl::Now() - start));
    outcomes.push_back(outcome);
  }
  return outcomes;
}

}  // namespace mptest::harnesses
