// The listing commands of mptest: list-tests and list-tentacles.
#ifndef MPTEST_TOOLS_CLI_LISTING_H_
#define MPTEST_TOOLS_CLI_LISTING_H_

#include <string>
#include <vector>

#include "core/sched/campaign.h"
#include "core/sched/config.h"
#include "core/sched/plugins.h"

namespace mptest::cli {

// What a plan would run, per selected test kind: the matrix cells ("BOARD[-VARIANT][-role]")
// the campaign's matrix expands it to, and those that no tentacle can run, with the reason.
struct PlannedCells {
  proto::TestRunSpec spec;
  std::vector<std::string> runs;
  std::vector<std::string> unreachable;  // "<cell> (<reason>)"
};
std::vector<PlannedCells> PlanCells(const sched::CampaignPlan& plan);

// Prints every selected test kind (label, feature, harness, timeout, priority, tentacles, args,
// help) and the cells it runs on, from the plan SelectPlan made for `mptest test` with the same
// flags, then the number of test runs.
int ListTests(const sched::CampaignPlan& plan);

// Prints the inventory's tentacles as their drivers discover them (Discover: no power-on), in
// the board plugins' tentacle table; a type whose driver fails shows its error as the state.
// The drivers keep their state in <private_dir>/list-tentacles.
int ListTentacles(const sched::LabConfig& lab, sched::PluginSource& plugins,
                  const std::string& private_dir);

}  // namespace mptest::cli

#endif  // MPTEST_TOOLS_CLI_LISTING_H_
