// How long a soft reset of a unix-port-like command takes through the execpty relay: the
// client's Ctrl-D makes the command exit, the relay restarts it and re-enters the raw REPL.
// The command is fake_unix_console (starts in well under a millisecond), so this is the relay's
// own cost; with the real unix port add its start (about 1.5 ms).
//   bazel run -c opt //plugins/boards/execpty:relay_bench
#include <stdlib.h>
#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "core/repl/raw_repl_client.h"
#include "firmware/launcher.h"

namespace {

// A program built beside this one (bazel-bin/plugins/boards/execpty/), as an absolute path.
std::string Sibling(const std::string& name) {
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  std::string path(self, n > 0 ? n : 0);
  return absl::StrCat(path.substr(0, path.rfind('/') + 1), name);
}

void BM_SoftResetThroughRelay(benchmark::State& state) {
  char dir_template[] = "/tmp/relay_bench.XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  const std::string link = dir + "/tty";
  absl::StatusOr<pid_t> relay = mptest::firmware::LaunchProcess(
      {Sibling("execpty_relay"), absl::StrCat("--link=", link), "--unix_line_ends", "--",
       Sibling("fake_unix_console")},
      dir + "/relay.log", link, /*detach=*/false, absl::Seconds(10));
  if (!relay.ok()) {
    state.SkipWithError(relay.status().ToString().c_str());
    return;
  }
  auto client = mptest::repl::RawReplClient::Open(link);
  if (!client.ok() || !(*client)->EnterRawRepl(absl::Now() + absl::Seconds(5)).ok()) {
    state.SkipWithError("cannot enter the raw REPL through the relay");
  } else {
    for (auto _ : state) {
      absl::Status reset = (*client)->SoftReset(absl::Now() + absl::Seconds(5));
      if (!reset.ok()) {
        state.SkipWithError(reset.ToString().c_str());
        break;
      }
    }
  }
  client->reset();
  (void)mptest::firmware::StopBoard(*relay);
  unlink((dir + "/relay.log").c_str());
  rmdir(dir.c_str());
}
BENCHMARK(BM_SoftResetThroughRelay)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
