// The built-in lab's host-python stand-in harness (see host_harness.h).
#include "tools/cli/host_harness.h"

#include <dirent.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "core/process/subprocess.h"

namespace mptest::cli {
namespace {

std::vector<std::string> TestFiles(const std::string& dir) {
  std::vector<std::string> files;
  DIR* handle = opendir(dir.c_str());
  if (handle == nullptr) return files;
  while (dirent* entry = readdir(handle)) {
    std::string name = entry->d_name;
    if (absl::EndsWith(name, ".py")) files.push_back(name);
  }
  closedir(handle);
  std::sort(files.begin(), files.end());
  return files;
}

std::string JsonString(const std::string& text) {
  return absl::StrCat(
      "\"", absl::StrReplaceAll(text, {{"\\", "\\\\"}, {"\"", "\\\""}, {"\n", "\\n"}}), "\"");
}

}  // namespace

absl::StatusOr<proto::HarnessResult> HostPythonHarness::Run(const proto::HarnessRequest& request) {
  std::vector<std::string> dirs;
  for (const std::string& arg : request.spec().args()) {
    if (absl::StartsWith(arg, "--test-dirs=")) dirs.push_back(arg.substr(12));
  }
  if (dirs.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(request.spec().label(), ": the host harness needs --test-dirs=DIR"));
  }
  const proto::Tentacle& dut = request.tentacles(0);
  std::ofstream log(request.result_dir() + "/testresults.txt");
  log << "cd " << request.tests_dir() << "\ntimeout_s=" << request.timeout_s() << "\n";
  proto::HarnessResult result;
  std::string json = "{\"args\": {\"harness\": \"host-python\"}, \"results\": [";
  bool first = true;
  for (const std::string& dir : dirs) {
    std::string path = absl::StrCat(request.tests_dir(), "/", dir);
    std::vector<std::string> files = TestFiles(path);
    if (files.empty()) {
      return absl::NotFoundError(absl::StrCat(path, ": no test files"));
    }
    for (const std::string& file : files) {
      std::string name = absl::StrCat(dir, "/", file);
      process::CommandOptions options;
      // Present the tentacle as the virtual board does: sys.implementation._machine is
      // "<BOARD>[-<VARIANT>] with CPython" and _build the variant.
      std::string machine = absl::StrCat(
          dut.board().name(),
          request.firmware().variant().empty() ? "" : "-" + request.firmware().variant(),
          " with CPython");
      std::string prelude = absl::StrCat(
          "import sys, types, runpy\n"
          "f = dict(vars(sys.implementation))\n"
          "f.update(_machine=",
          JsonString(machine), ", _build=", JsonString(request.firmware().variant()),
          ")\n"
          "sys.implementation = types.SimpleNamespace(**f)\n"
          "sys.argv = [",
          JsonString(absl::StrCat(path, "/", file)),
          "]\n"
          "runpy.run_path(sys.argv[0], run_name='__main__')\n");
      options.argv = {"python3", "-c", prelude};
      options.env_set = {{"PYTHONHASHSEED", "0"}};
      options.timeout = absl::Seconds(10);
      absl::Time start = absl::Now();
      absl::StatusOr<process::CommandResult> run = process::RunCommand(options);
      if (!run.ok()) return run.status();
      std::string verdict;
      std::string reason;
      std::ifstream exp_file(absl::StrCat(path, "/", file, ".exp"));
      if (run->output == "SKIP\n") {
        verdict = "skip";
      } else if (!run->ok()) {
        verdict = "fail";
        reason = run->Describe();
      } else if (exp_file) {
        std::stringstream expected;
        expected << exp_file.rdbuf();
        verdict = expected.str() == run->output ? "pass" : "fail";
        if (verdict == "fail") {
          reason = "output differs from .exp";
          std::ofstream(absl::StrCat(request.result_dir(), "/", dir, "_", file, ".out"))
              << run->output;
        }
      } else {
        verdict = "pass";  // no .exp: CPython is the reference, and this is CPython
      }
      log << name << ": " << verdict << (reason.empty() ? "" : " (" + reason + ")") << "\n";
      proto::TestOutcome* outcome = result.add_outcomes();
      outcome->set_name(name);
      outcome->set_outcome(verdict);
      outcome->set_reason(reason);
      outcome->set_duration_s(absl::ToDoubleSeconds(absl::Now() - start));
      absl::StrAppend(&json, first ? "" : ", ", "[", JsonString(name), ", ", JsonString(verdict),
                      ", ", JsonString(reason), "]");
      first = false;
    }
  }
  json += "]}\n";
  result.set_results_json(request.result_dir() + "/_results.json");
  std::ofstream(result.results_json()) << json;
  return result;
}

}  // namespace mptest::cli
