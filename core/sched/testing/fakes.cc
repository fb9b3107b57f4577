// Fakes of the scheduler's interfaces (see fakes.h).
#include "core/sched/testing/fakes.h"

#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/report/atomic_file.h"
#include "core/report/results_json.h"
#include "core/sched/record_io.h"
#include "glog/logging.h"

namespace mptest::sched::testing {
namespace {

std::string BoardVariant(const std::string& board, const std::string& variant) {
  return variant.empty() ? board : absl::StrCat(board, "-", variant);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

absl::StatusOr<proto::Firmware> FakeBuilder::Build(const proto::BuildRequest& request) {
  std::string name = BoardVariant(request.board().name(), request.variant());
  ReportStep("make", 0, 1, "files");
  absl::SleepFor(duration);
  ReportStep("make", 1, 1, "files");
  std::string log = absl::StrCat(request.output_dir(), "/build.log");
  if (fail.count(name) || fail.count(request.board().name())) {
    (void)report::WriteFileAtomically(log, absl::StrCat("make: *** [", name, "] Error 2\n"));
    return absl::InternalError(
        absl::StrCat("build of ", name, " failed (log: ", log, ")", fail_cause));
  }
  proto::Firmware firmware;
  firmware.set_board(request.board().name());
  firmware.set_variant(request.variant());
  firmware.set_version(absl::StrCat(name, ";", version_prefix, " ", request.source(), ";", name));
  firmware.set_path(absl::StrCat(request.output_dir(), "/firmware.vimg"));
  firmware.set_kind("vimg");
  firmware.set_build_log(log);
  (void)report::WriteFileAtomically(log, absl::StrCat("built ", name, "\n"));
  if (absl::Status status = report::WriteFileAtomically(firmware.path(), firmware.version());
      !status.ok()) {
    return status;
  }
  return firmware;
}

absl::StatusOr<proto::DiscoverResponse> FakeDriver::Discover(
    const proto::DiscoverRequest& request) {
  proto::DiscoverResponse response;
  for (const proto::InventoryEntry& entry : request.inventory().tentacles()) {
    proto::Tentacle* tentacle = response.add_tentacles();
    *tentacle->mutable_entry() = entry;
    for (const proto::BoardDefinition& board : request.boards()) {
      if (board.name() == entry.board()) *tentacle->mutable_board() = board;
    }
    (*tentacle->mutable_runtime())["state"] =
        absl::StrCat(request.state_dir(), "/", entry.label(), ".version");
  }
  return response;
}

absl::StatusOr<proto::Tentacle> FakeDriver::Start(const proto::Tentacle& tentacle) {
  if (fail_start.count(tentacle.entry().label())) {
    return absl::UnavailableError(
        absl::StrCat(tentacle.entry().label(), ": does not power up", fail_start_cause));
  }
  proto::Tentacle started = tentacle;
  started.set_console(absl::StrCat("fake:", tentacle.entry().label()));
  started.set_state("idle");
  return started;
}

absl::Status FakeDriver::PowerCycle(const proto::Tentacle& tentacle) {
  power_cycled.insert(tentacle.entry().label());
  return absl::OkStatus();
}

absl::Status FakeDriver::Flash(const proto::FlashRequest& request) {
  const std::string& label = request.tentacle().entry().label();
  if (fail_flash.count(label)) {
    return absl::UnavailableError(absl::StrCat(label, ": programmer did not find the board"));
  }
  absl::SleepFor(flash_duration);
  std::string image = ReadAll(request.firmware().path());
  if (!request.log_path().empty()) {
    (void)report::WriteFileAtomically(request.log_path(), absl::StrCat("flashed ", image, "\n"));
  }
  return report::WriteFileAtomically(request.tentacle().runtime().at("state"), image);
}

absl::Status FakeDriver::Stop(const proto::Tentacle& tentacle) {
  stopped.insert(tentacle.entry().label());
  return absl::OkStatus();
}

absl::StatusOr<std::string> FakeDriver::ReadVersion(const proto::Tentacle& tentacle) {
  auto it = tentacle.runtime().find("state");
  if (it == tentacle.runtime().end() || access(it->second.c_str(), R_OK) != 0) {
    return absl::NotFoundError(absl::StrCat(tentacle.entry().label(), ": no MicroPython"));
  }
  return ReadAll(it->second);
}

absl::StatusOr<proto::HarnessResult> FakeHarness::Run(const proto::HarnessRequest& request) {
  HarnessScript script;
  std::string attempt_dir = request.result_dir();
  for (const HarnessScript& candidate : scripts) {
    if (absl::StrContains(attempt_dir, candidate.match)) {
      script = candidate;
      break;
    }
  }
  absl::SleepFor(script.duration);
  if (script.crash) abort();
  const bool failing = script.hang || !script.error.empty();
  const int total = static_cast<int>(script.outcomes.size());
  if (failing && script.reported_before_failing) {
    for (int i = 0; i < total; ++i) {
      proto::TestOutcome outcome;
      outcome.set_name(script.outcomes[i].first);
      outcome.set_outcome(script.outcomes[i].second);
      ReportTestStarted(i + 1, total, outcome.name());
      ReportTestEnded(i + 1, total, outcome);
    }
  }
  if (failing && !script.verdicts_before_failing) {
    if (script.hang) LOG(WARNING) << "the scripted harness hangs now";
    while (script.hang) pause();
    return absl::UnavailableError(script.error);
  }
  if (script.skip_group) return absl::FailedPreconditionError("target lacks the feature");
  char letter = attempt_dir.empty() ? 'a' : attempt_dir.back();
  bool fail_all = letter - 'a' < script.fail_first_attempts;
  proto::HarnessResult result;
  for (size_t i = 0; i < script.outcomes.size(); ++i) {
    proto::TestOutcome* outcome = result.add_outcomes();
    outcome->set_name(script.outcomes[i].first);
    ReportTestStarted(static_cast<int>(i) + 1, total, outcome->name());
    outcome->set_outcome(fail_all ? "fail" : script.outcomes[i].second);
    ReportTestEnded(static_cast<int>(i) + 1, total, *outcome);
  }
  result.set_results_json(request.result_dir() + "/_results.json");
  if (absl::Status status = report::WriteResultsJson(
          result.results_json(), {result.outcomes().begin(), result.outcomes().end()});
      !status.ok()) {
    return status;
  }
  while (script.hang) pause();
  if (!script.error.empty()) return absl::UnavailableError(script.error);
  return result;
}

absl::StatusOr<Builder*> FakePlugins::GetBuilder(const std::string&) { return &builder; }

absl::StatusOr<BoardDriver*> FakePlugins::GetDriver(const std::string& type) {
  if (type != "fake" && type != "virtual") {
    return absl::NotFoundError(absl::StrCat("no board driver plugin '", type, "'"));
  }
  return &driver;
}

absl::StatusOr<Harness*> FakePlugins::GetHarness(const std::string& name) {
  auto it = extra_harnesses.find(name);
  if (it != extra_harnesses.end()) return it->second;
  return &harness;
}

}  // namespace mptest::sched::testing
