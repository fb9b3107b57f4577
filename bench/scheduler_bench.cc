// The scheduler at scale: 10,000 test runs handed to 50 and 1,000 simulated tentacles on a
// simulated clock. Reports the makespan against the lower bound max(total work /
// tentacles, longest run) and against the per-board bound max over boards of (board work / board
// tentacles), which is the true lower bound here because a run can only use its own board's
// tentacles (both plus the one flash each tentacle needs); the runs that flashed; the dispatch cost
// per run (wall time of Next + Release + Observe) and the process's peak memory.
//
// Two workloads, each run at the same 10,000 cells (specs x boards x 2 variants):
//   workload=0 "independent": every cell's duration is its own random number (1-100 s);
//   workload=1 "realistic": a spec has a base duration (1-100 s) and takes base x the board's
//     speed factor (0.8-1.25) on every board and variant.
// Every campaign adds +-10 % noise per run, and a run that must flash its board first takes
// kFlashSeconds more (which is why the matrix avoids reflashing). history=0 is a first campaign:
// nothing known, the matrix learns from the runs that end (Matrix::Observe, as Campaign does).
// history=1 first runs such a campaign, merges its clean durations into a history file
// (DurationHistory, as Campaign does at its end), loads it back, and measures a second campaign
// (fresh noise) that starts with it.
#include <stdlib.h>

#include <chrono>
#include <fstream>
#include <map>
#include <queue>
#include <string>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "core/api/event_sink.h"
#include "core/sched/campaign.h"
#include "core/sched/duration_history.h"
#include "core/sched/matrix.h"
#include "core/sched/simulated_executor.h"
#include "core/sched/testing/fakes.h"

namespace mptest::sched {
namespace {

constexpr int kRuns = 10000;
// What flashing a board adds to a run that needs it (the matrix avoids reflashing).
constexpr double kFlashSeconds = 5;

double PeakRssMiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

// A uniform number in [0, 1) from the arguments (splitmix64), so that every duration is fixed
// by its cell and round without a table.
double Uniform(uint64_t a, uint64_t b = 0, uint64_t c = 0, uint64_t d = 0) {
  uint64_t x = a * 0x9E3779B97F4A7C15ULL ^ b * 0xC2B2AE3D27D4EB4FULL ^ c * 0x165667B19E3779F9ULL ^
               d * 0xD6E8FEB86659FD93ULL;
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  x ^= x >> 31;
  return static_cast<double>(x >> 11) / 9007199254740992.0;
}

std::string BoardName(int board) { return absl::StrCat("BOARD", board); }
int BoardIndex(const std::string& name) { return std::stoi(name.substr(5)); }

// How long a run of spec `spec` on board/variant takes in campaign `round`.
double Duration(bool realistic, int spec, int board, bool variant_v, int round) {
  double base;
  if (realistic) {
    double speed = 0.8 + 0.45 * Uniform(2, board);
    base = (1.0 + 99.0 * Uniform(1, spec)) * speed;
  } else {
    base = 1.0 + 99.0 * Uniform(3, spec, board, variant_v);
  }
  return base * (0.9 + 0.2 * Uniform(4 + round, spec, board, variant_v));
}

// The lower bounds over the runs of one campaign: the tests' time, plus the one flash every
// tentacle needs before its first run (it starts with unknown firmware).
struct Bounds {
  std::vector<double> work_by_board;  // tests only, without flashing
  std::vector<int> tentacles_by_board;
  double total = 0, longest = 0;
  int flashes = 0;  // runs that flashed their DUT first
  int jobs = 0;     // runs at once (--jobs), 0 = one per tentacle
  void Add(int board, double test_seconds, bool flashed) {
    work_by_board[board] += test_seconds;
    total += test_seconds;
    longest = std::max(longest, test_seconds);
    flashes += flashed;
  }
  double Simple() const {
    int slots = 0;
    for (int count : tentacles_by_board) slots += count;
    if (jobs > 0) slots = std::min(slots, jobs);
    return std::max(total / slots, longest) + kFlashSeconds;
  }
  double PerBoard() const {
    double bound = Simple();
    for (size_t b = 0; b < work_by_board.size(); ++b) {
      bound = std::max(bound, work_by_board[b] / tentacles_by_board[b] + kFlashSeconds);
    }
    return bound;
  }
};

void Report(benchmark::State& state, double makespan, const Bounds& bounds) {
  state.counters["makespan_s"] = makespan;
  state.counters["lower_bound_s"] = bounds.Simple();
  state.counters["over_bound_pct"] = 100.0 * (makespan / bounds.Simple() - 1.0);
  state.counters["per_board_bound_s"] = bounds.PerBoard();
  state.counters["over_board_bound_pct"] = 100.0 * (makespan / bounds.PerBoard() - 1.0);
  state.counters["peak_rss_MiB"] = PeakRssMiB();
  state.counters["flashes"] = bounds.flashes;
}

std::string TempDir() {
  char dir_template[] = "/dev/shm/mptest-bench-XXXXXX";
  return mkdtemp(dir_template);
}

void RemoveTree(benchmark::State& state, const std::string& root) {
  std::string command = "rm -rf " + root;
  if (system(command.c_str()) != 0) state.SkipWithError("cannot remove the temporary files");
}

// The matrix alone, driven as TestBartender and Campaign drive it, on an event-queue clock.
class MatrixCampaign {
 public:
  MatrixCampaign(int tentacles, int boards, bool realistic, int jobs)
      : tentacles_(tentacles), boards_(boards), realistic_(realistic), jobs_(jobs) {
    for (int s = 0; s < kRuns / (boards * 2); ++s) {
      proto::TestRunSpec spec;
      spec.set_label(absl::StrCat("RUN-", s));
      spec.set_fut("MCU_ONLY");
      spec.set_timeout_s(1000);
      specs_.push_back(spec);
    }
    for (int b = 0; b < boards; ++b) {
      variants_[BoardName(b)] = {"", "V"};
      features_[BoardName(b)] = {"MCU_ONLY"};
    }
    for (int t = 0; t < tentacles; ++t) {
      TentacleSlot slot;
      slot.board = BoardName(t % boards);
      slot.serial4 = absl::StrCat(10000 + t).substr(1);
      slot.label = slot.serial4 + "-" + slot.board;
      slot.variants = {"", "V"};
      slots_.push_back(slot);
    }
  }

  // One campaign; its clean durations go to `history`. Returns the makespan.
  double Run(int round, const DurationEstimates& estimates, DurationHistory* history,
             Bounds* bounds, double* dispatch_ns) const {
    Matrix matrix(specs_, slots_, variants_, features_, -1, estimates);
    for (int b = 0; b < boards_; ++b) {
      matrix.SetFirmwareReady(BoardName(b), "");
      matrix.SetFirmwareReady(BoardName(b), "V");
    }
    *bounds = Bounds();
    bounds->jobs = jobs_;
    bounds->work_by_board.assign(boards_, 0);
    bounds->tentacles_by_board.assign(boards_, 0);
    for (const TentacleSlot& slot : slots_) ++bounds->tentacles_by_board[BoardIndex(slot.board)];
    using Event = std::pair<double, int>;  // end time, index into planned
    std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events;
    std::vector<PlannedRun> planned;
    std::vector<double> seconds;
    double now = 0;
    auto timed = [dispatch_ns](auto&& work) {
      auto begin = std::chrono::steady_clock::now();
      work();
      *dispatch_ns +=
          std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - begin)
              .count();
    };
    auto start_runs = [&] {
      std::vector<PlannedRun> batch;
      timed([&] {
        while (jobs_ == 0 || static_cast<int>(events.size() + batch.size()) < jobs_) {
          std::optional<PlannedRun> run = matrix.Next();
          if (!run) break;
          batch.push_back(*std::move(run));
        }
      });
      for (PlannedRun& run : batch) {
        int board = BoardIndex(run.entry.board);
        double test =
            Duration(realistic_, run.entry.spec, board, !run.entry.variant.empty(), round);
        bounds->Add(board, test, !run.firmware_already_flashed);
        double d = test + (run.firmware_already_flashed ? 0 : kFlashSeconds);
        events.emplace(now + d, static_cast<int>(planned.size()));
        planned.push_back(std::move(run));
        seconds.push_back(d);
      }
    };
    start_runs();
    while (!events.empty()) {
      auto [end, index] = events.top();
      events.pop();
      now = end;
      const PlannedRun& run = planned[index];
      const std::string& label = specs_[run.entry.spec].label();
      timed([&] {
        matrix.Release(run, true);
        matrix.Observe(label, seconds[index]);
      });
      if (history) history->Record(label, run.entry.board, run.entry.variant, seconds[index]);
      start_runs();
    }
    return planned.size() == static_cast<size_t>(kRuns) ? now : -1;
  }

 private:
  int tentacles_, boards_;
  bool realistic_;
  int jobs_;
  std::vector<proto::TestRunSpec> specs_;
  std::vector<TentacleSlot> slots_;
  std::map<std::string, std::vector<std::string>> variants_, features_;
};

// The history a first campaign leaves in a fresh cache directory, read back as the next
// campaign reads it.
DurationEstimates HistoryOfFirstCampaign(benchmark::State& state, const MatrixCampaign& campaign) {
  DurationHistory history;
  Bounds unused;
  double unused_ns = 0;
  campaign.Run(/*round=*/0, {}, &history, &unused, &unused_ns);
  std::string root = TempDir();
  std::string path = DurationHistoryPath(root);
  absl::StatusOr<DurationEstimates> estimates = history.MergeInto(path).ok()
                                                    ? LoadDurationHistory(path)
                                                    : absl::InternalError("cannot write");
  RemoveTree(state, root);
  if (!estimates.ok()) state.SkipWithError(std::string(estimates.status().message()).c_str());
  return estimates.ok() ? *estimates : DurationEstimates();
}

// Arguments: tentacles, boards, workload (0 independent, 1 realistic), history (0, 1), jobs
// (--jobs: runs at once, 0 = one per tentacle; the bound then divides by the jobs).
void BM_Scheduler(benchmark::State& state) {
  const int tentacles = static_cast<int>(state.range(0));
  const int boards = static_cast<int>(state.range(1));
  const bool realistic = state.range(2) != 0;
  const bool history = state.range(3) != 0;
  const int jobs = static_cast<int>(state.range(4));
  MatrixCampaign campaign(tentacles, boards, realistic, jobs);
  DurationEstimates estimates;
  if (history) estimates = HistoryOfFirstCampaign(state, campaign);
  state.counters["history_cells"] = static_cast<double>(estimates.size());
  double makespan = 0, dispatch_ns = 0;
  Bounds bounds;
  for (auto _ : state) {
    makespan = campaign.Run(/*round=*/1, estimates, nullptr, &bounds, &dispatch_ns);
    if (makespan < 0) state.SkipWithError("not every run was dispatched");
  }
  Report(state, makespan, bounds);
  state.counters["dispatch_us_per_run"] =
      dispatch_ns / 1000.0 / kRuns / static_cast<double>(state.iterations());
}

BENCHMARK(BM_Scheduler)
    ->ArgsProduct({{50}, {10}, {0, 1}, {0, 1}, {0}})
    ->ArgsProduct({{1000}, {50}, {0, 1}, {0, 1}, {0}})
    ->ArgsProduct({{50}, {10}, {0, 1}, {0, 1}, {40}})
    ->ArgsProduct({{1000}, {50}, {0, 1}, {0, 1}, {800}})
    ->ArgNames({"tentacles", "boards", "workload", "history", "jobs"})
    ->Unit(benchmark::kMillisecond);

// The whole scheduler (Campaign: bartenders, executor loop, the test run's attempt records on
// disk, the history file in its cache directory) with the fake harness and fake boards on the
// simulated clock: the same 10,000 runs. history=1 runs a first campaign over the same cache
// directory and measures the second. loop_us_per_run is wall time per run of everything but the
// simulated waiting, including the fake child's writing of context_testgroup.json and
// _results.json.
void BM_Campaign(benchmark::State& state) {
  const int tentacles = static_cast<int>(state.range(0));
  const int boards = static_cast<int>(state.range(1));
  const bool realistic = state.range(2) != 0;
  const bool history = state.range(3) != 0;
  CampaignPlan plan;
  for (int s = 0; s < kRuns / (boards * 2); ++s) {
    proto::TestRunSpec spec;
    spec.set_label(absl::StrCat("RUN-", s));
    spec.set_fut("MCU_ONLY");
    spec.set_harness("fake");
    spec.set_timeout_s(1000);
    plan.specs.push_back(spec);
  }
  for (int b = 0; b < boards; ++b) {
    proto::BoardDefinition board;
    board.set_name(BoardName(b));
    board.set_port("virtual");
    board.add_variants("");
    board.add_variants("V");
    board.add_features("MCU_ONLY");
    plan.boards[board.name()] = board;
    plan.variants_by_board[board.name()] = {"", "V"};
  }
  Bounds bounds;
  bounds.work_by_board.assign(boards, 0);
  bounds.tentacles_by_board.assign(boards, 0);
  for (int t = 0; t < tentacles; ++t) {
    proto::InventoryEntry entry;
    entry.set_board(BoardName(t % boards));
    entry.set_label(absl::StrCat(absl::StrCat(10000 + t).substr(1), "-", entry.board()));
    entry.set_type("fake");
    plan.tentacles.push_back(entry);
    ++bounds.tentacles_by_board[t % boards];
  }
  int round = 0;
  // A run's test time from its test id, RUN-<s>@<serial4>-BOARD<b>[-V]; the job adds the
  // flashing when the run's record says it flashed.
  auto test_seconds = [&round, realistic](const std::string& name) {
    if (name.rfind("RUN-", 0) != 0) return 0.0;  // a build
    size_t at = name.find('@');
    int spec = std::stoi(name.substr(4, at - 4));
    std::string board = name.substr(at + 6);
    bool variant_v = board.size() > 2 && board.compare(board.size() - 2, 2, "-V") == 0;
    if (variant_v) board.resize(board.size() - 2);
    return Duration(realistic, spec, BoardIndex(board), variant_v, round);
  };
  auto duration_of = [&test_seconds](const std::string& name, const std::string& payload) {
    proto::TestRunRecord record;
    bool flashed = record.ParseFromString(payload) && record.flashed();
    return absl::Seconds(test_seconds(name) + (flashed ? kFlashSeconds : 0));
  };
  std::string root = TempDir();
  double makespan = 0, loop_us = 0;
  int completed = 0;
  for (auto _ : state) {
    for (round = history ? 0 : 1; round <= 1; ++round) {
      testing::FakePlugins plugins;
      SimulatedExecutor executor(tentacles + 2, duration_of);
      EventSink sink;
      CampaignOptions options;
      options.build.results_dir = options.test.results_dir = absl::StrCat(root, "/", round);
      options.build.cache_dir = absl::StrCat(root, "/cache");
      options.build.build_jobs = 2;
      options.test.jobs = tentacles;
      absl::Time start = absl::Now();
      Campaign campaign(plan, options, plugins, executor, sink);
      absl::StatusOr<proto::CampaignSummary> summary = campaign.Run();
      if (!summary.ok()) {
        state.SkipWithError(std::string(summary.status().message()).c_str());
        break;
      }
      if (round == 0) continue;
      loop_us += absl::ToDoubleMicroseconds(absl::Now() - start);
      makespan = summary->duration_s();
      completed = static_cast<int>(campaign.records().size());
      for (const auto& record : campaign.records()) {
        bounds.Add(BoardIndex(record.board()), test_seconds(record.testid()), record.flashed());
      }
    }
  }
  if (completed != kRuns) state.SkipWithError("not every run completed");
  Report(state, makespan, bounds);
  state.counters["loop_us_per_run"] = loop_us / kRuns / static_cast<double>(state.iterations());
  RemoveTree(state, root);
}

BENCHMARK(BM_Campaign)
    ->ArgsProduct({{50}, {10}, {0, 1}, {0, 1}})
    ->ArgsProduct({{1000}, {50}, {0, 1}, {0, 1}})
    ->ArgNames({"tentacles", "boards", "workload", "history"})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace
}  // namespace mptest::sched

BENCHMARK_MAIN();
