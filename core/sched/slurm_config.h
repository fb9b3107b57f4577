// The lab as Slurm sees it, written down once: each tentacle is a generic resource (GRES) of its
// host, Name = its board kind, Type = its tentacle id, so a test run asks for exactly its
// tentacles (--gres=virtual_pico:1a01:1 --nodelist=h1) and no environment variable is needed to
// learn which unit it got. `mptest slurm-config` writes the slurm.conf lines and gres.conf of an
// inventory with these names, and the Slurm executor asks for them.
#ifndef MPTEST_CORE_SCHED_SLURM_CONFIG_H_
#define MPTEST_CORE_SCHED_SLURM_CONFIG_H_

#include <string>

#include "absl/status/status.h"
#include "core/proto/board.pb.h"

namespace mptest::sched {

// The board kind as a GRES name: the board's name in lower case ("virtual_pico").
std::string GresName(const std::string& board);
// The tentacle id as a GRES type: its short id (Serial4, "1a01").
std::string GresType(const proto::InventoryEntry& entry);
// "<name>:<type>:1", what srun --gres asks for.
std::string GresRequest(const proto::InventoryEntry& entry);

// The inventory can run on Slurm: every tentacle names its host, and no two tentacles of one
// board share a tentacle id. Errors name the inventory file and the tentacle.
absl::Status CheckSlurmInventory(const proto::Inventory& inventory,
                                 const std::string& inventory_path);

struct SlurmConfigFiles {
  std::string slurm_conf;  // lines for slurm.conf: GresTypes, the settings, NodeName, a partition
  std::string gres_conf;   // gres.conf
};

// The configuration of the inventory's hosts. A tentacle's device (gres.conf File=) is its
// "device" tag; without one its GRES has Count=1 and no file.
SlurmConfigFiles MakeSlurmConfig(const proto::Inventory& inventory,
                                 const std::string& inventory_path,
                                 const std::string& partition = "mptest");

}  // namespace mptest::sched

#endif  // MPTEST_CORE_SCHED_SLURM_CONFIG_H_
