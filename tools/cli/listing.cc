// The listing commands: list-tests (the test kinds) and list-tentacles (the inventory as the
// drivers discover it).
#include "tools/cli/listing.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/sched/campaign.h"
#include "core/sched/matrix.h"
#include "plugins/boards/tentacle_table.h"

namespace mptest::cli {

namespace {

std::string CellName(const sched::TodoEntry& entry) {
  std::string name = entry.board;
  if (!entry.variant.empty()) absl::StrAppend(&name, "-", entry.variant);
  if (!entry.role.empty()) absl::StrAppend(&name, "-", entry.role);
  return name;
}

}  // namespace

std::vector<PlannedCells> PlanCells(const sched::CampaignPlan& plan) {
  // The campaign's own matrix, over every planned tentacle (none has failed to come up yet).
  std::unique_ptr<sched::Matrix> matrix = sched::MakeMatrix(plan, plan.tentacles);
  std::vector<PlannedCells> cells(plan.specs.size());
  for (size_t i = 0; i < plan.specs.size(); ++i) cells[i].spec = plan.specs[i];
  for (const auto& [entry, reason] : matrix->DropUnreachable()) {
    cells[entry.spec].unreachable.push_back(absl::StrCat(CellName(entry), " (", reason, ")"));
  }
  for (const sched::TodoEntry& entry : matrix->DropAll()) {
    cells[entry.spec].runs.push_back(CellName(entry));
  }
  for (PlannedCells& spec_cells : cells) {
    std::sort(spec_cells.runs.begin(), spec_cells.runs.end());
    std::sort(spec_cells.unreachable.begin(), spec_cells.unreachable.end());
  }
  return cells;
}

int ListTests(const sched::CampaignPlan& plan) {
  size_t total = 0;
  for (const PlannedCells& cells : PlanCells(plan)) {
    const proto::TestRunSpec& spec = cells.spec;
    std::printf("%-34s fut=%-16s harness=%-16s timeout=%gs priority=%d tentacles=%d args=[%s]\n",
                spec.label().c_str(), spec.fut().c_str(), spec.harness().c_str(), spec.timeout_s(),
                spec.priority(), spec.tentacles() == 0 ? 1 : spec.tentacles(),
                absl::StrJoin(spec.args(), " ").c_str());
    if (!spec.help().empty()) std::printf("    %s\n", spec.help().c_str());
    std::printf("    runs on: %s\n",
                cells.runs.empty() ? "(nothing selected)" : absl::StrJoin(cells.runs, " ").c_str());
    if (!cells.unreachable.empty()) {
      std::printf("    cannot run: %s\n", absl::StrJoin(cells.unreachable, ", ").c_str());
    }
    total += cells.runs.size();
  }
  std::printf("%zu test runs of %zu test kinds on %zu tentacles\n", total, plan.specs.size(),
              plan.tentacles.size());
  return 0;
}

// The inventory's tentacles as their drivers find them (Discover: no power-on).
int ListTentacles(const sched::LabConfig& lab, sched::PluginSource& plugins,
                  const std::string& private_dir) {
  std::map<std::string, proto::Inventory> by_type;
  for (const proto::InventoryEntry& entry : lab.inventory.tentacles()) {
    *by_type[entry.type()].add_tentacles() = entry;
  }
  std::map<std::string, proto::Tentacle> found;
  for (const auto& [type, inventory] : by_type) {
    proto::DiscoverRequest request;
    *request.mutable_inventory() = inventory;
    for (const auto& [name, board] : lab.boards) *request.add_boards() = board;
    request.set_state_dir(absl::StrCat(private_dir, "/list-tentacles"));
    absl::StatusOr<BoardDriver*> driver = plugins.GetDriver(type);
    absl::StatusOr<proto::DiscoverResponse> response =
        driver.ok() ? (*driver)->Discover(request) : driver.status();
    for (const proto::InventoryEntry& entry : inventory.tentacles()) {
      proto::Tentacle& tentacle = found[entry.label()];
      *tentacle.mutable_entry() = entry;
      *tentacle.mutable_board() = lab.boards.at(entry.board());
      tentacle.set_state(response.ok() ? "not found"
                                       : absl::StrCat("error: ", response.status().message()));
    }
    if (!response.ok()) continue;
    for (const proto::Tentacle& tentacle : response->tentacles()) {
      found[tentacle.entry().label()] = tentacle;
      if (tentacle.state().empty()) found[tentacle.entry().label()].set_state("found");
    }
  }
  std::vector<proto::Tentacle> rows;
  for (const proto::InventoryEntry& entry : lab.inventory.tentacles()) {
    rows.push_back(found[entry.label()]);
  }
  std::fputs(FormatTentacleTable(rows).c_str(), stdout);
  return 0;
}

}  // namespace mptest::cli
