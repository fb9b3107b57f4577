// The scheduler at scale: the test matrix handing 10,000 test runs to 50 and 1,000 simulated
// tentacles with random durations on a simulated clock. Reports the makespan against the lower
// bound max(total work / tentacles, longest run) and against the tighter per-board bound
// (a board's runs can only use that board's tentacles), the dispatch cost per run (Next +
// Release, wall time) and the process's peak memory. history=0 is the anchor's order;
// history=1 gives the matrix the durations of an "earlier campaign" (the true ones +-20 %), so
// long runs start first (longest-processing-time order).
#include <stdlib.h>

#include <chrono>
#include <fstream>
#include <map>
#include <queue>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "core/api/event_sink.h"
#include "core/sched/campaign.h"
#include "core/sched/matrix.h"
#include "core/sched/simulated_executor.h"
#include "core/sched/testing/fakes.h"

namespace mptest::sched {
namespace {

double PeakRssMiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

// `tentacles` spread over `boards` board types with two variants each; specs chosen so that
// specs x boards x 2 = `runs`.
void BM_Scheduler(benchmark::State& state) {
  const int tentacles = static_cast<int>(state.range(0));
  const int boards = static_cast<int>(state.range(1));
  const bool history = state.range(2) != 0;
  const int runs = 10000;
  const int specs_count = runs / (boards * 2);
  std::vector<proto::TestRunSpec> specs;
  for (int s = 0; s < specs_count; ++s) {
    proto::TestRunSpec spec;
    spec.set_label(absl::StrCat("RUN-", s));
    spec.set_fut("MCU_ONLY");
    spec.set_timeout_s(100);
    specs.push_back(spec);
  }
  std::vector<TentacleSlot> slots;
  std::map<std::string, std::vector<std::string>> variants, features;
  for (int b = 0; b < boards; ++b) {
    std::string board = absl::StrCat("BOARD", b);
    variants[board] = {"", "V"};
    features[board] = {"MCU_ONLY"};
  }
  for (int t = 0; t < tentacles; ++t) {
    TentacleSlot slot;
    slot.board = absl::StrCat("BOARD", t % boards);
    slot.serial4 = absl::StrCat(10000 + t).substr(1);
    slot.label = slot.serial4 + "-" + slot.board;
    slot.variants = {"", "V"};
    slots.push_back(slot);
  }
  // Every cell's duration, fixed up front; the history is the same with +-20 % noise.
  std::mt19937_64 random(42);
  std::uniform_real_distribution<double> duration(1.0, 100.0);
  std::uniform_real_distribution<double> noise(0.8, 1.2);
  std::map<std::string, double> durations;
  DurationEstimates estimates;
  for (const proto::TestRunSpec& spec : specs) {
    for (int b = 0; b < boards; ++b) {
      for (const char* variant : {"", "V"}) {
        std::string key = EstimateKey(spec.label(), absl::StrCat("BOARD", b), variant);
        durations[key] = duration(random);
        if (history) estimates[key] = durations[key] * noise(random);
      }
    }
  }
  double makespan = 0, bound = 0, board_bound = 0, dispatch_ns = 0;
  for (auto _ : state) {
    Matrix matrix(specs, slots, variants, features, -1, estimates);
    for (int b = 0; b < boards; ++b) {
      matrix.SetFirmwareReady(absl::StrCat("BOARD", b), "");
      matrix.SetFirmwareReady(absl::StrCat("BOARD", b), "V");
    }
    using Event = std::pair<double, int>;  // end time, index into planned
    std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events;
    std::vector<PlannedRun> planned;
    std::map<std::string, double> work_by_board;
    double now = 0, total = 0, longest = 0;
    int64_t dispatched = 0;
    auto start_runs = [&] {
      auto begin = std::chrono::steady_clock::now();
      std::vector<PlannedRun> batch;
      while (std::optional<PlannedRun> run = matrix.Next()) batch.push_back(*std::move(run));
      dispatch_ns +=
          std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - begin)
              .count();
      for (PlannedRun& run : batch) {
        const proto::TestRunSpec& spec = specs[run.entry.spec];
        double d = durations[EstimateKey(spec.label(), run.entry.board, run.entry.variant)];
        total += d;
        longest = std::max(longest, d);
        work_by_board[run.entry.board] += d;
        events.emplace(now + d, static_cast<int>(planned.size()));
        planned.push_back(std::move(run));
        ++dispatched;
      }
    };
    start_runs();
    while (!events.empty()) {
      auto [end, index] = events.top();
      events.pop();
      now = end;
      auto begin = std::chrono::steady_clock::now();
      matrix.Release(planned[index], true);
      dispatch_ns +=
          std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - begin)
              .count();
      start_runs();
    }
    if (dispatched != runs) state.SkipWithError("not every run was dispatched");
    makespan = now;
    bound = std::max(total / tentacles, longest);
    int per_board = tentacles / boards;
    board_bound = bound;
    for (const auto& [board, work] : work_by_board) {
      board_bound = std::max(board_bound, work / per_board);
    }
  }
  state.counters["makespan_s"] = makespan;
  state.counters["lower_bound_s"] = bound;
  state.counters["over_bound_pct"] = 100.0 * (makespan / bound - 1.0);
  state.counters["per_board_bound_s"] = board_bound;
  state.counters["over_board_bound_pct"] = 100.0 * (makespan / board_bound - 1.0);
  state.counters["dispatch_us_per_run"] =
      dispatch_ns / 1000.0 / runs / static_cast<double>(state.iterations());
  state.counters["peak_rss_MiB"] = PeakRssMiB();
}

BENCHMARK(BM_Scheduler)
    ->Args({50, 10, 0})
    ->Args({1000, 50, 0})
    ->Args({50, 10, 1})
    ->Args({1000, 50, 1})
    ->ArgNames({"tentacles", "boards", "history"})
    ->Unit(benchmark::kMillisecond);

// The whole scheduler (Campaign: bartenders, executor loop, the test run's attempt records on
// disk) with the fake harness and fake boards on the simulated clock: the same 10,000 runs.
// loop_us_per_run is wall time per run of everything but the simulated waiting, including
// the fake child's writing of context_testgroup.json and _results.json.
void BM_Campaign(benchmark::State& state) {
  const int tentacles = static_cast<int>(state.range(0));
  const int boards = static_cast<int>(state.range(1));
  const int runs = 10000;
  CampaignPlan plan;
  for (int s = 0; s < runs / (boards * 2); ++s) {
    proto::TestRunSpec spec;
    spec.set_label(absl::StrCat("RUN-", s));
    spec.set_fut("MCU_ONLY");
    spec.set_harness("fake");
    spec.set_timeout_s(1000);
    plan.specs.push_back(spec);
  }
  for (int b = 0; b < boards; ++b) {
    proto::BoardDefinition board;
    board.set_name(absl::StrCat("BOARD", b));
    board.set_port("virtual");
    board.add_variants("");
    board.add_variants("V");
    board.add_features("MCU_ONLY");
    plan.boards[board.name()] = board;
    plan.variants_by_board[board.name()] = {"", "V"};
  }
  for (int t = 0; t < tentacles; ++t) {
    proto::InventoryEntry entry;
    entry.set_board(absl::StrCat("BOARD", t % boards));
    entry.set_label(absl::StrCat(absl::StrCat(10000 + t).substr(1), "-", entry.board()));
    entry.set_type("fake");
    plan.tentacles.push_back(entry);
  }
  // A run's duration from its test id: RUN-<s>@<serial4>-BOARD<b>[-V].
  auto duration_of = [](const std::string& name, const std::string&) {
    if (name.rfind("build ", 0) == 0) return absl::ZeroDuration();
    uint64_t hash = 1469598103934665603ULL;
    std::string cell = name.substr(0, name.find('@')) + name.substr(name.find('@') + 5);
    for (char c : cell) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    return absl::Seconds(1.0 + static_cast<double>(hash % 99000) / 1000.0);
  };
  char dir_template[] = "/dev/shm/mptest-bench-XXXXXX";
  std::string root = mkdtemp(dir_template);
  double makespan = 0, loop_us = 0, work = 0;
  int completed = 0, round = 0;
  for (auto _ : state) {
    testing::FakePlugins plugins;
    plugins.harness.scripts = {};
    SimulatedExecutor executor(tentacles + 2, duration_of);
    EventSink sink;
    CampaignOptions options;
    options.build.results_dir = options.test.results_dir = absl::StrCat(root, "/", round++);
    options.build.build_jobs = 2;
    options.test.jobs = tentacles;
    absl::Time start = absl::Now();
    Campaign campaign(plan, options, plugins, executor, sink);
    absl::StatusOr<proto::CampaignSummary> summary = campaign.Run();
    loop_us += absl::ToDoubleMicroseconds(absl::Now() - start);
    if (!summary.ok()) state.SkipWithError(std::string(summary.status().message()).c_str());
    makespan = summary->duration_s();
    completed = static_cast<int>(campaign.records().size());
    work = 0;
    for (const auto& record : campaign.records()) {
      work += absl::ToDoubleSeconds(duration_of(record.testid(), ""));
    }
  }
  if (completed != runs) state.SkipWithError("not every run completed");
  state.counters["makespan_s"] = makespan;
  state.counters["lower_bound_s"] = work / tentacles;
  state.counters["over_bound_pct"] = 100.0 * (makespan / (work / tentacles) - 1.0);
  state.counters["loop_us_per_run"] = loop_us / runs / static_cast<double>(state.iterations());
  state.counters["peak_rss_MiB"] = PeakRssMiB();
  std::string command = "rm -rf " + root;
  if (system(command.c_str()) != 0) state.SkipWithError("cannot remove the results");
}

BENCHMARK(BM_Campaign)
    ->Args({50, 10})
    ->Args({1000, 50})
    ->ArgNames({"tentacles", "boards"})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace
}  // namespace mptest::sched

BENCHMARK_MAIN();
