// Slurm's names for the lab and the configuration files (see slurm_config.h).
#include "core/sched/slurm_config.h"

#include <map>
#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/sched/matrix.h"

namespace mptest::sched {
namespace {

// Slurm's names: letters, digits and '_' (a '-' or '.' would split them).
bool SlurmName(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

}  // namespace

std::string GresName(const std::string& board) { return absl::AsciiStrToLower(board); }

std::string GresType(const proto::InventoryEntry& entry) { return Serial4(entry); }

std::string GresRequest(const proto::InventoryEntry& entry) {
  return absl::StrCat(GresName(entry.board()), ":", GresType(entry), ":1");
}

absl::Status CheckSlurmInventory(const proto::Inventory& inventory,
                                 const std::string& inventory_path) {
  std::map<std::string, std::string> owner;  // name:type -> label
  for (const proto::InventoryEntry& entry : inventory.tentacles()) {
    const std::string where = absl::StrCat(inventory_path, ": tentacle '", entry.label(), "': ");
    if (entry.host().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          where,
          "field 'host' is empty: on Slurm every tentacle names the host (NodeName) it "
          "is attached to"));
    }
    if (!SlurmName(GresName(entry.board())) || !SlurmName(GresType(entry))) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "its board '", entry.board(), "' and short id '", GresType(entry),
                       "' must be letters, digits and '_' to be a Slurm GRES name and type"));
    }
    auto [it, inserted] = owner.emplace(GresRequest(entry), entry.label());
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, "has the same board and short id as '", it->second,
          "': Slurm could not tell them apart (give one another usb_serial or label prefix)"));
    }
  }
  return absl::OkStatus();
}

SlurmConfigFiles MakeSlurmConfig(const proto::Inventory& inventory,
                                 const std::string& inventory_path, const std::string& partition) {
  std::set<std::string> kinds;
  std::map<std::string, std::vector<const proto::InventoryEntry*>> by_host;
  for (const proto::InventoryEntry& entry : inventory.tentacles()) {
    kinds.insert(GresName(entry.board()));
    by_host[entry.host()].push_back(&entry);
  }
  SlurmConfigFiles files;
  std::string& conf = files.slurm_conf;
  absl::StrAppend(&conf, "# Written by `mptest slurm-config --inventory=", inventory_path,
                  "`.\n# The lab's hosts, with each tentacle a GRES: Name = board kind, "
                  "Type = tentacle id.\n");
  absl::StrAppend(&conf, "GresTypes=", absl::StrJoin(kinds, ","), "\n");
  absl::StrAppend(
      &conf,
      "# An attempt starts about 1 s after srun, and one waiting for a busy board never holds\n"
      "# back one for an idle board (the defaults delay batch jobs 3 s and backfill every 30 s).\n"
      "SchedulerParameters=batch_sched_delay=0,bf_interval=1,bf_continue\n"
      "# Never requeue: after a network partition a requeued job ran twice at once, two runs\n"
      "# driving one board. mptest retries a lost run itself, on another tentacle.\n"
      "JobRequeue=0\n"
      "# Between SIGTERM and SIGKILL: the worker powers its boards off and sends what it has.\n"
      "KillWait=30\n"
      "# A host runs one worker per tentacle at once: boards, not CPUs, are the scarce resource,\n"
      "# so a host may claim a CPU per tentacle that it does not have.\n"
      "SlurmdParameters=config_overrides\n");
  std::vector<std::string> hosts;
  for (const auto& [host, entries] : by_host) {
    hosts.push_back(host);
    std::vector<std::string> gres;
    for (const proto::InventoryEntry* entry : entries) gres.push_back(GresRequest(*entry));
    absl::StrAppend(&conf, "NodeName=", host, " CPUs=", std::max<size_t>(2, entries.size()),
                    " Gres=", absl::StrJoin(gres, ","), " State=UNKNOWN\n");
  }
  absl::StrAppend(&conf, "PartitionName=", partition, " Nodes=", absl::StrJoin(hosts, ","),
                  " Default=YES MaxTime=INFINITE State=UP\n");

  std::string& gres = files.gres_conf;
  absl::StrAppend(&gres, "# Written by `mptest slurm-config --inventory=", inventory_path,
                  "`: one line per tentacle.\n");
  for (const auto& [host, entries] : by_host) {
    for (const proto::InventoryEntry* entry : entries) {
      absl::StrAppend(&gres, "NodeName=", host, " Name=", GresName(entry->board()),
                      " Type=", GresType(*entry));
      auto device = entry->tags().find("device");
      if (device != entry->tags().end()) {
        absl::StrAppend(&gres, " File=", device->second, "\n");
      } else {
        absl::StrAppend(&gres, " Count=1\n");
      }
    }
  }
  return files;
}

}  // namespace mptest::sched
