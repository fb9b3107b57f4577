// Fuzz target of the configuration files (outside input): the tentacle inventory, board
// definitions and test kinds, all textprotos. Byte 0 picks the file kind; the rest is its text.
// Parsing and the semantic checks (CheckLab, TentacleVariants) never crash, and every error
// names the file it is about.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/proto/campaign.pb.h"
#include "core/sched/config.h"

namespace {

using mptest::sched::LabConfig;

void RequireNamesFile(const absl::Status& status, const std::string& file) {
  if (!status.ok() && status.message().find(file) == absl::string_view::npos) std::abort();
}

// A lab with one board of two variants, one tentacle and one spec, as the fuzzed part's context.
LabConfig BaseLab() {
  LabConfig lab;
  mptest::proto::BoardDefinition board;
  board.set_name("FUZZ_BOARD");
  board.set_port("virtual");
  board.add_variants("");
  board.add_variants("THREAD");
  lab.boards["FUZZ_BOARD"] = board;
  mptest::proto::InventoryEntry* entry = lab.inventory.add_tentacles();
  entry->set_label("f1-FUZZ_BOARD");
  entry->set_type("virtual");
  entry->set_board("FUZZ_BOARD");
  mptest::proto::TestRunSpec spec;
  spec.set_label("RUN-FUZZ");
  spec.set_harness("native");
  spec.set_timeout_s(10);
  spec.set_tentacles(1);
  lab.specs.push_back(spec);
  lab.inventory_path = "inventory.textproto";
  return lab;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  LabConfig lab = BaseLab();
  switch (data[0] % 3) {
    case 0: {
      const std::string file = "inventory.textproto";
      absl::Status parsed = mptest::sched::ParseTextProto(file, text, &lab.inventory);
      RequireNamesFile(parsed, file);
      if (!parsed.ok()) return 0;
      break;
    }
    case 1: {
      const std::string file = "boards/FUZZ_BOARD.textproto";
      mptest::proto::BoardDefinition board;
      absl::Status parsed = mptest::sched::ParseTextProto(file, text, &board);
      RequireNamesFile(parsed, file);
      if (!parsed.ok()) return 0;
      lab.boards[board.name()] = board;
      break;
    }
    default: {
      const std::string file = "specs.textproto";
      mptest::proto::TestRunSpecList list;
      absl::Status parsed = mptest::sched::ParseTextProto(file, text, &list);
      RequireNamesFile(parsed, file);
      if (!parsed.ok()) return 0;
      lab.specs.assign(list.spec().begin(), list.spec().end());
      break;
    }
  }
  absl::Status checked = mptest::sched::CheckLab(lab, "specs.textproto");
  if (!checked.ok() && checked.message().empty()) std::abort();
  if (!checked.ok()) return 0;
  for (const mptest::proto::InventoryEntry& entry : lab.inventory.tentacles()) {
    auto board = lab.boards.find(entry.board());
    if (board == lab.boards.end()) std::abort();  // CheckLab accepted an unknown board
    mptest::sched::TentacleVariants(board->second, entry);
  }
  return 0;
}
