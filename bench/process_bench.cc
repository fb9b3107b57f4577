// pcall of 100 trivial targets, in the fork and spawn contexts (bench/run_all.sh compares
// them with a plain C fork/pipe/waitpid loop and Python multiprocessing).
//   bazel run -c opt //bench:process_bench
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

#include "benchmark/benchmark.h"
#include "core/process/pcall.h"

namespace mptest::process {
namespace {

int Trivial(int i) { return i; }
MPTEST_REGISTER_TARGET(Trivial);

constexpr int kCalls = 100;

// Minor page faults so far of this process and of its reaped children. Copy-on-write faults
// after fork are most of a short-lived child's cost, in the child and in the parent alike.
struct Faults {
  long parent = 0, children = 0;
  double children_cpu_us = 0;  // user + system time of the reaped children
  static Faults Now() {
    struct rusage self, children;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    const double cpu_us = (children.ru_utime.tv_sec + children.ru_stime.tv_sec) * 1e6 +
                          children.ru_utime.tv_usec + children.ru_stime.tv_usec;
    return {self.ru_minflt, children.ru_minflt, cpu_us};
  }
};

// Reports page faults per call (parent side and child side) and each child's CPU time since
// `before`.
void ReportFaults(benchmark::State& state, const Faults& before) {
  const Faults after = Faults::Now();
  const double calls = static_cast<double>(state.iterations()) * kCalls;
  if (calls == 0) return;
  state.counters["parent_faults"] = static_cast<double>(after.parent - before.parent) / calls;
  state.counters["child_faults"] = static_cast<double>(after.children - before.children) / calls;
  state.counters["child_cpu_us"] = (after.children_cpu_us - before.children_cpu_us) / calls;
}

void RunPcall(benchmark::State& state, Context context) {
  std::vector<std::tuple<int>> per_call;
  for (int i = 0; i < kCalls; ++i) per_call.emplace_back(i);
  PcallOptions options;
  options.context = context;
  options.child_logs = false;
  const Faults before = Faults::Now();
  for (auto _ : state) {
    auto results = pcall(Trivial, iargs(per_call), options);
    if (!results.ok() || results->size() != kCalls) {
      state.SkipWithError("pcall failed");
      return;
    }
    benchmark::DoNotOptimize(results);
  }
  ReportFaults(state, before);
  state.SetItemsProcessed(state.iterations() * kCalls);
}

// The same work as a plain fork/pipe/waitpid loop, inside this binary (same libraries mapped,
// so the same fork cost): the framework's overhead is the difference to BM_Pcall100Fork.
void BM_PlainForkLoop100(benchmark::State& state) {
  const Faults before = Faults::Now();
  for (auto _ : state) {
    std::vector<int> fds(kCalls);
    std::vector<pid_t> pids(kCalls);
    for (int i = 0; i < kCalls; ++i) {
      int p[2];
      if (pipe2(p, O_CLOEXEC) != 0) state.SkipWithError("pipe2");
      pids[i] = fork();
      if (pids[i] == 0) {
        int32_t result = Trivial(i);
        ssize_t ignored = write(p[1], &result, sizeof(result));
        (void)ignored;
        _exit(0);
      }
      close(p[1]);
      fds[i] = p[0];
    }
    int64_t sum = 0;
    for (int i = 0; i < kCalls; ++i) {  // blocking reads: each child writes 4 bytes
      int32_t result = 0;
      if (read(fds[i], &result, sizeof(result)) == sizeof(result)) sum += result;
      close(fds[i]);
      waitpid(pids[i], nullptr, 0);
    }
    benchmark::DoNotOptimize(sum);
  }
  ReportFaults(state, before);
  state.SetItemsProcessed(state.iterations() * kCalls);
}
BENCHMARK(BM_PlainForkLoop100)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Pcall100Fork(benchmark::State& state) { RunPcall(state, Context::kFork); }
void BM_Pcall100Spawn(benchmark::State& state) { RunPcall(state, Context::kSpawn); }
void BM_Pcall100Inline(benchmark::State& state) { RunPcall(state, Context::kInline); }
BENCHMARK(BM_Pcall100Fork)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Pcall100Spawn)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Pcall100Inline)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace mptest::process

int main(int argc, char** argv) {
  mptest::process::RunSpawnedChildIfRequested();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
