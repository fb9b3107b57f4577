// From the lab and the command line's filters to a CampaignPlan: --only-board/--skip-board
// (BOARD, BOARD-VARIANT, BOARD-), --only-test/--skip-test (LABEL[:args]), --only-fut/--skip-fut,
// --only-tag k=v1,v2 and --reference_board. Every error names the flag and what it expected.
#ifndef MPTEST_TOOLS_CLI_SELECTION_H_
#define MPTEST_TOOLS_CLI_SELECTION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/sched/campaign.h"
#include "core/sched/config.h"

namespace mptest::cli {

struct Filters {
  std::vector<std::string> only_board, skip_board;
  std::vector<std::string> only_test, skip_test;
  std::vector<std::string> only_fut, skip_fut;
  std::vector<std::string> only_tag;
  std::string reference_board;  // "" = the entry tagged reference=true, else RPI_PICO_W
};

// Checks the filters alone (conflicts, syntax).
absl::Status CheckFilters(const Filters& filters);

absl::StatusOr<sched::CampaignPlan> SelectPlan(const sched::LabConfig& lab, const Filters& filters);

}  // namespace mptest::cli

#endif  // MPTEST_TOOLS_CLI_SELECTION_H_
