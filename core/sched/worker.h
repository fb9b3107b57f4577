// The two ends of a test run that runs on another host (`mptest worker` under srun, see
// slurm_executor.h): the campaign packs a TestRunInput into a proto::WorkerInput (firmware files
// included: the hosts share no filesystem with it); the worker, on the host holding the run's
// tentacles, brings them up, runs the run in a supervised child with the run's deadline (boards
// powered off before a kill, as on the campaign's host), stops them, and streams back the
// results directory's files and the run's end as proto::WorkerMessage frames.
#ifndef MPTEST_CORE_SCHED_WORKER_H_
#define MPTEST_CORE_SCHED_WORKER_H_

#include <functional>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/proto/worker.pb.h"
#include "core/sched/plugins.h"
#include "core/sched/test_run.h"

namespace mptest::sched {

// The WorkerInput of `input`, with each firmware file's bytes. Errors name the file.
// `images`: the bytes of each file read so far, by path (a campaign's firmware does not change
// while it runs: each image is read once for all its runs); nullptr = read every time.
absl::StatusOr<proto::WorkerInput> MakeWorkerInput(
    const TestRunInput& input, absl::Duration deadline, const std::string& xfail_json,
    std::map<std::string, std::string>* images = nullptr);

struct WorkerOptions {
  // Where the worker keeps what outlives one run on this host (tentacle state, flashed
  // versions, firmware files) and the run's results while it runs.
  std::string state_dir;
  std::string host;  // this host's name, for the Hello and messages
  absl::Duration kill_grace = absl::Seconds(2);
  // Polled while the run runs: true (SIGTERM: the campaign cancelled it, or Slurm's time limit)
  // ends it as a deadline would.
  std::function<bool()> cancelled;
};

// Reads one WorkerInput frame from `in_fd`, runs it and writes WorkerMessage frames to
// `out_fd`. Returns the process's exit code: 0 when WorkerDone was sent (whatever the run's
// verdicts), 2 for an input it refuses (another mptest version), 3 when it could not run it.
int RunWorker(int in_fd, int out_fd, PluginSource& plugins, const WorkerOptions& options);

}  // namespace mptest::sched

#endif  // MPTEST_CORE_SCHED_WORKER_H_
