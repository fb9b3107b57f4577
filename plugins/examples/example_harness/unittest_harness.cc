// The worked example of docs/writing-a-harness.md: the harness "example_unittest" runs a board's
// own unittest-style scripts. Every test_*.py in the directories the test kind's args name
// (below tests_dir) runs at the DUT's raw REPL, after a soft reset: it passes when it raises
// nothing and its last line is "OK" (what unittest prints), is skipped when it prints "SKIP",
// and fails otherwise, with its output as the reason.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "core/api/plugin_sdk.h"
#include "core/repl/raw_repl_client.h"
#include "core/report/results_json.h"

namespace {

namespace fs = std::filesystem;
using mptest::proto::HarnessRequest;
using mptest::proto::HarnessResult;

class UnittestHarness : public mptest::Harness {
 public:
  absl::StatusOr<HarnessResult> Run(const HarnessRequest& request) override {
    const mptest::proto::Tentacle& dut = request.tentacles(0);
    absl::StatusOr<std::unique_ptr<mptest::repl::RawReplClient>> board =
        mptest::repl::RawReplClient::OpenBoard(dut.console(), dut.board());
    if (!board.ok()) return board.status();  // an error: the core retries the run
    const absl::Time deadline = absl::Now() + absl::Seconds(request.timeout_s());
    HarnessResult result;
    for (const std::string& dir : request.spec().args()) {
      std::vector<fs::path> scripts;
      std::error_code error;
      for (const auto& entry : fs::directory_iterator(fs::path(request.tests_dir()) / dir, error)) {
        const std::string name = entry.path().filename().string();
        if (absl::StartsWith(name, "test_") && absl::EndsWith(name, ".py")) {
          scripts.push_back(entry.path());
        }
      }
      if (error) return absl::NotFoundError(absl::StrCat(dir, ": ", error.message()));
      std::sort(scripts.begin(), scripts.end());
      for (const fs::path& script : scripts) {
        absl::Status ready = (*board)->EnterRawRepl(deadline);
        if (ready.ok()) ready = (*board)->SoftReset(deadline);
        if (!ready.ok()) return ready;  // the board is gone: the run errors
        std::stringstream code;
        code << std::ifstream(script).rdbuf();
        absl::StatusOr<mptest::repl::ExecResult> ran = (*board)->Execute(code.str(), deadline);
        mptest::proto::TestOutcome* outcome = result.add_outcomes();
        outcome->set_name(absl::StrCat(dir, "/", script.filename().string()));
        const std::string output =
            ran.ok() ? std::string(absl::StripTrailingAsciiWhitespace(ran->stdout_text)) : "";
        if (ran.ok() && !ran->raised() && absl::EndsWith(output, "OK")) {
          outcome->set_outcome("pass");
        } else if (ran.ok() && output == "SKIP") {
          outcome->set_outcome("skip");
        } else {
          outcome->set_outcome("fail");
          outcome->set_reason(ran.ok() ? output + ran->stderr_text
                                       : std::string(ran.status().message()));
        }
        // The verdicts so far in _results.json: a run killed at its deadline keeps them.
        absl::Status kept =
            mptest::report::WriteResultsJson(request.result_dir() + "/_results.json",
                                             {result.outcomes().begin(), result.outcomes().end()});
        if (!kept.ok()) return kept;
      }
    }
    return result;
  }
};

}  // namespace

MPTEST_PLUGIN("example_unittest", "1.0.0",
              "Runs a board's own unittest-style test_*.py scripts at its raw REPL",
              UnittestHarness);
