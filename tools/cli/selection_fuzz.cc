// Fuzz target of the command line's selection flags (--only-board/--skip-board, --only-test/
// --skip-test, --only-fut/--skip-fut, --only-tag, --reference_board, --flash_skip). Each input
// line is one flag value: its first character picks the flag (b B t T f F g r, s alone for
// --flash_skip), the rest is the value. CheckFilters and SelectPlan over a small lab never crash,
// errors are never empty, a plan only holds the lab's boards, variants (or "unknown" under
// --flash_skip), tentacles and specs, and the cells list-tests prints are the plan's boards.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "absl/strings/str_split.h"
#include "tools/cli/listing.h"
#include "tools/cli/selection.h"

namespace {

using mptest::sched::LabConfig;

LabConfig Lab() {
  LabConfig lab;
  for (const char* name : {"VIRTUAL_PICO", "VIRTUAL_REF", "RPI_PICO_W"}) {
    mptest::proto::BoardDefinition board;
    board.set_name(name);
    board.set_port("virtual");
    board.add_variants("");
    if (std::string(name) == "VIRTUAL_PICO") board.add_variants("THREAD");
    board.add_features("MCU_ONLY");
    board.add_features("WLAN");
    lab.boards[name] = board;
  }
  const char* tentacles[][2] = {{"1a01-VIRTUAL_PICO", "VIRTUAL_PICO"},
                                {"9f01-VIRTUAL_REF", "VIRTUAL_REF"},
                                {"7-W", "RPI_PICO_W"}};
  for (const auto& [label, board] : tentacles) {
    mptest::proto::InventoryEntry* entry = lab.inventory.add_tentacles();
    entry->set_label(label);
    entry->set_type("virtual");
    entry->set_board(board);
    (*entry->mutable_tags())["tier"] = "1";
    if (std::string(board) == "VIRTUAL_REF") (*entry->mutable_tags())["reference"] = "true";
  }
  for (int tentacles : {1, 2}) {
    mptest::proto::TestRunSpec spec;
    spec.set_label(tentacles == 1 ? "RUN-TESTS_BASICS" : "RUN-MULTITESTS_MULTINET");
    spec.set_fut(tentacles == 1 ? "MCU_ONLY" : "WLAN");
    spec.set_harness("native");
    spec.set_timeout_s(10);
    spec.set_tentacles(tentacles);
    lab.specs.push_back(spec);
  }
  lab.inventory_path = "inventory.textproto";
  return lab;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  mptest::cli::Filters filters;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty()) continue;
    const std::string value(line.substr(1));
    switch (line[0]) {
      case 'b':
        filters.only_board.push_back(value);
        break;
      case 'B':
        filters.skip_board.push_back(value);
        break;
      case 't':
        filters.only_test.push_back(value);
        break;
      case 'T':
        filters.skip_test.push_back(value);
        break;
      case 'f':
        filters.only_fut.push_back(value);
        break;
      case 'F':
        filters.skip_fut.push_back(value);
        break;
      case 'g':
        filters.only_tag.push_back(value);
        break;
      case 'r':
        filters.reference_board = value;
        break;
      case 's':
        filters.flash_skip = true;
        break;
      default:
        break;
    }
  }
  absl::Status checked = mptest::cli::CheckFilters(filters);
  if (!checked.ok()) {
    if (checked.message().empty()) std::abort();
    return 0;
  }
  static const LabConfig* lab = new LabConfig(Lab());
  absl::StatusOr<mptest::sched::CampaignPlan> plan = mptest::cli::SelectPlan(*lab, filters);
  if (!plan.ok()) {
    if (plan.status().message().empty()) std::abort();
    return 0;
  }
  for (const auto& [board, variants] : plan->variants_by_board) {
    auto known = lab->boards.find(board);
    if (known == lab->boards.end()) std::abort();
    std::set<std::string> allowed(known->second.variants().begin(), known->second.variants().end());
    // --flash_skip: a multi-variant board is the one variant "unknown".
    if (filters.flash_skip && allowed.size() > 1) allowed = {mptest::cli::kUnknownVariant};
    for (const std::string& variant : variants) {
      if (allowed.count(variant) == 0) std::abort();
    }
  }
  std::set<std::string> labels;
  for (const auto& entry : lab->inventory.tentacles()) labels.insert(entry.label());
  for (const auto& entry : plan->tentacles) {
    if (labels.count(entry.label()) == 0) std::abort();
  }
  if (plan->specs.size() > lab->specs.size()) std::abort();
  // What list-tests prints: the matrix over the plan never names a board outside the plan.
  for (const mptest::cli::PlannedCells& cells : mptest::cli::PlanCells(*plan)) {
    for (const std::string& run : cells.runs) {
      if (plan->variants_by_board.count(run.substr(0, run.find('-'))) == 0) std::abort();
    }
  }
  return 0;
}
