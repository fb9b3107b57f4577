// `mptest worker`, `mptest slurm-config` (see slurm.h).
#include "tools/cli/slurm.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "core/report/atomic_file.h"
#include "core/sched/slurm_config.h"
#include "core/sched/worker.h"

namespace mptest::cli {
namespace {

volatile sig_atomic_t worker_cancelled = 0;

void OnWorkerSignal(int) { worker_cancelled = 1; }

}  // namespace

int RunWorkerCommand(sched::PluginSource& plugins, const std::string& state_dir) {
  // The frames get their own descriptor; whatever a plugin prints goes to stderr.
  const int frames = dup(STDOUT_FILENO);
  if (frames < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
    std::fprintf(stderr, "mptest worker: cannot set up its output: %s\n", strerror(errno));
    return 3;
  }
  // A campaign that went away (srun killed) must not kill the worker before it powers its
  // boards off and stops them: a write to it then fails instead.
  signal(SIGPIPE, SIG_IGN);
  signal(SIGTERM, OnWorkerSignal);
  signal(SIGINT, OnWorkerSignal);
  char host[256] = "";
  gethostname(host, sizeof(host) - 1);
  sched::WorkerOptions options;
  options.state_dir = state_dir;
  options.host = host;
  options.cancelled = [] { return worker_cancelled != 0; };
  const int code = sched::RunWorker(STDIN_FILENO, frames, plugins, options);
  close(frames);
  return code;
}

int RunSlurmConfigCommand(const proto::Inventory& inventory, const std::string& inventory_path,
                          const std::string& output_dir) {
  if (absl::Status status = sched::CheckSlurmInventory(inventory, inventory_path); !status.ok()) {
    std::fprintf(stderr, "mptest: %s\n", std::string(status.message()).c_str());
    return 2;
  }
  sched::SlurmConfigFiles files = sched::MakeSlurmConfig(inventory, inventory_path);
  if (output_dir.empty()) {
    std::printf("# ---- slurm.conf (append) ----\n%s# ---- gres.conf ----\n%s",
                files.slurm_conf.c_str(), files.gres_conf.c_str());
    return 0;
  }
  for (const auto& [name, text] :
       {std::pair<std::string, const std::string&>{"slurm-mptest.conf", files.slurm_conf},
        {"gres.conf", files.gres_conf}}) {
    const std::string path = absl::StrCat(output_dir, "/", name);
    absl::Status status = report::MakeDirectories(output_dir);
    if (status.ok()) status = report::WriteFileAtomically(path, text);
    if (!status.ok()) {
      std::fprintf(stderr, "mptest: %s\n", std::string(status.message()).c_str());
      return 3;
    }
    std::printf("mptest: wrote %s\n", path.c_str());
  }
  return 0;
}

}  // namespace mptest::cli
