// Peak memory of carrying one large pcall result (issue 14, item 8): a forked child returns an
// N-byte std::string and pcall hands it to the caller. Reported per size:
//   parent_peak_MiB   the parent's peak resident set over its resident set before the call
//                     (VmHWM, reset through /proc/self/clear_refs before each call);
//   parent_peak_x     the same as a multiple of N (aim: <= 2: the bytes received and the value
//                     decoded from them, each once);
//   child_peak_MiB    the largest peak resident set of a reaped child (ru_maxrss), whole.
//   bazel run -c opt //bench:result_memory_bench
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "benchmark/benchmark.h"
#include "core/process/pcall.h"

namespace mptest::process {
namespace {

constexpr size_t kMiB = size_t{1} << 20;

std::string Result(size_t bytes) { return std::string(bytes, 'r'); }

// A field of /proc/self/status in KiB ("VmRSS", "VmHWM"), or -1.
long StatusKiB(const char* field) {
  FILE* status = std::fopen("/proc/self/status", "r");
  if (status == nullptr) return -1;
  char line[256];
  long kib = -1;
  const size_t length = std::strlen(field);
  while (std::fgets(line, sizeof(line), status) != nullptr) {
    if (std::strncmp(line, field, length) == 0 && line[length] == ':') {
      kib = std::strtol(line + length + 1, nullptr, 10);
      break;
    }
  }
  std::fclose(status);
  return kib;
}

// Resets VmHWM to the current resident set (Linux >= 4.0).
bool ResetPeak() {
  const int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool done = write(fd, "5", 1) == 1;
  close(fd);
  return done;
}

void BM_PcallLargeResult(benchmark::State& state) {
  const size_t bytes = static_cast<size_t>(state.range(0)) * kMiB;
  PcallOptions options;
  options.context = Context::kFork;
  options.child_logs = false;
  double worst_parent = 0;
  for (auto _ : state) {
    if (!ResetPeak()) {
      state.SkipWithError("cannot reset VmHWM through /proc/self/clear_refs");
      return;
    }
    const long before = StatusKiB("VmRSS");
    {
      auto results = pcall(Result, cargs(bytes), options);
      if (!results.ok() || results->size() != 1 || (*results)[0].size() != bytes) {
        state.SkipWithError("pcall did not carry the result");
        return;
      }
      benchmark::DoNotOptimize((*results)[0].data());
    }
    const double peak = static_cast<double>(StatusKiB("VmHWM") - before) * 1024;
    if (peak > worst_parent) worst_parent = peak;
  }
  struct rusage children;
  getrusage(RUSAGE_CHILDREN, &children);
  state.counters["parent_peak_MiB"] = worst_parent / kMiB;
  state.counters["parent_peak_x"] = worst_parent / static_cast<double>(bytes);
  state.counters["child_peak_MiB"] = static_cast<double>(children.ru_maxrss) / 1024;
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_PcallLargeResult)
    ->Arg(256)  // MiB
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace mptest::process

BENCHMARK_MAIN();  // fork context only: no spawned child to run
