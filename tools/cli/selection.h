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

// The variant of a multi-variant board under --flash_skip: nothing is built or flashed, so
// mptest cannot know which variant the board holds.
inline constexpr char kUnknownVariant[] = "unknown";

struct Filters {
  std::vector<std::string> only_board, skip_board;
  std::vector<std::string> only_test, skip_test;
  std::vector<std::string> only_fut, skip_fut;
  std::vector<std::string> only_tag;
  std::string reference_board;  // "" = the entry tagged reference=true, else RPI_PICO_W
  // --flash_skip: every board with several variants (in its board definition) is tested once,
  // as the single variant kUnknownVariant; boards with one variant keep it. A board filter
  // naming a variant of such a board (BOARD-VARIANT, BOARD-) is then a usage error.
  bool flash_skip = false;
  // --split: "LABEL=K": run the selected kind LABEL as K shards (core/sched/shards.h), over the
  // spec's own split.
  std::vector<std::string> split;
};

// Checks the filters alone (conflicts, syntax).
absl::Status CheckFilters(const Filters& filters);

// The one place where the command line's selection becomes a plan: `mptest test`, `flash` and
// `list-tests` all call it, so list-tests shows exactly what test would run.
absl::StatusOr<sched::CampaignPlan> SelectPlan(const sched::LabConfig& lab, const Filters& filters);

}  // namespace mptest::cli

#endif  // MPTEST_TOOLS_CLI_SELECTION_H_
