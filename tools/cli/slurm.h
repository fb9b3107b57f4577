// The command line's Slurm pieces: `mptest worker` (one test run on the host holding its
// tentacles, under srun) and `mptest slurm-config` (slurm.conf and gres.conf from the
// inventory).
#ifndef MPTEST_TOOLS_CLI_SLURM_H_
#define MPTEST_TOOLS_CLI_SLURM_H_

#include <string>

#include "core/proto/board.pb.h"
#include "core/sched/plugins.h"

namespace mptest::cli {

// Runs `mptest worker`: the WorkerInput on stdin, frames on stdout (stdout is the frames' alone:
// anything else the process writes there goes to stderr). SIGTERM ends the run as a deadline
// does. `state_dir`: what this host keeps between runs. Returns the exit code.
int RunWorkerCommand(sched::PluginSource& plugins, const std::string& state_dir);

// Writes <output_dir>/slurm-mptest.conf and <output_dir>/gres.conf for the inventory, or prints
// both when output_dir is "". Exit 2 with the inventory's error when it cannot run on Slurm.
int RunSlurmConfigCommand(const proto::Inventory& inventory, const std::string& inventory_path,
                          const std::string& output_dir);

}  // namespace mptest::cli

#endif  // MPTEST_TOOLS_CLI_SLURM_H_
