// Event throughput: 4 children each send 250,000 small events to the parent's EventBus
// (bench/run_all.sh compares it with the plain C loop and multiprocessing.Queue).
//   bazel run -c opt //bench:bus_bench
#include "benchmark/benchmark.h"
#include "core/bus/event_sender.h"
#include "core/process/pcall.h"

namespace mptest::process {
namespace {

constexpr int kChildren = 4;
constexpr int kEventsPerChild = 250000;

int SendSmallEvents(int count) {
  proto::Event event;
  for (int i = 0; i < count; ++i) {
    event.mutable_log_line()->set_severity(i & 3);
    if (!bus::SendEvent(event).ok()) return -1;
  }
  return count;
}
MPTEST_REGISTER_TARGET(SendSmallEvents);

void BM_EventThroughput(benchmark::State& state) {
  bus::EventBus bus;
  int64_t received = 0;
  bus.SubscribeTo(proto::Event::kLogLine, [&](const proto::Event&) { ++received; });
  PcallOptions options;
  options.child_logs = false;
  options.bus = &bus;
  options.context = static_cast<Context>(state.range(0));
  for (auto _ : state) {
    received = 0;
    auto sent = pcall(SendSmallEvents,
                      iargs(args(kEventsPerChild), args(kEventsPerChild), args(kEventsPerChild),
                            args(kEventsPerChild)),
                      options);
    if (!sent.ok() || received != int64_t{kChildren} * kEventsPerChild) {
      state.SkipWithError("events lost or pcall failed");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * kChildren * kEventsPerChild);
}
BENCHMARK(BM_EventThroughput)
    ->Arg(static_cast<int>(Context::kFork))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace mptest::process

int main(int argc, char** argv) {
  mptest::process::RunSpawnedChildIfRequested();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
