// Selecting specs, tentacles and variants from the command line's filters (see selection.h).
#include "tools/cli/selection.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/sched/shards.h"

namespace mptest::cli {
namespace {

absl::Status Usage(const std::string& flag, const std::string& message) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", message));
}

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// A board filter term: "BOARD" (all variants), "BOARD-VARIANT", "BOARD-" (default variant).
struct BoardTerm {
  std::string board;
  bool all_variants = true;
  std::string variant;
};

absl::StatusOr<std::vector<BoardTerm>> ParseBoards(const sched::LabConfig& lab,
                                                   const std::vector<std::string>& terms,
                                                   const std::string& flag, bool flash_skip) {
  std::vector<BoardTerm> parsed;
  for (const std::string& term : terms) {
    BoardTerm board_term;
    size_t dash = term.find('-');
    board_term.board = term.substr(0, dash);
    if (dash != std::string::npos) {
      board_term.all_variants = false;
      board_term.variant = term.substr(dash + 1);
    }
    auto board = lab.boards.find(board_term.board);
    if (board == lab.boards.end()) {
      std::vector<std::string> known;
      for (const auto& [name, unused] : lab.boards) known.push_back(name);
      return Usage(flag, absl::StrCat("unknown board '", board_term.board, "' in '", term,
                                      "' (known: ", absl::StrJoin(known, ", "), ")"));
    }
    if (!board_term.all_variants &&
        !Contains({board->second.variants().begin(), board->second.variants().end()},
                  board_term.variant)) {
      return Usage(flag, absl::StrCat("board ", board_term.board, " has no variant '",
                                      board_term.variant, "'"));
    }
    if (!board_term.all_variants && flash_skip && board->second.variants_size() > 1) {
      return Usage(
          flag,
          absl::StrCat("'", term, "' names a variant, but with --flash_skip nothing ",
                       "is flashed, so the variant ", board_term.board, " holds is unknown: use --",
                       flag, "=", board_term.board, " or leave out --flash_skip"));
    }
    parsed.push_back(board_term);
  }
  return parsed;
}

bool Matches(const std::vector<BoardTerm>& terms, const std::string& board,
             const std::string& variant, bool board_only) {
  for (const BoardTerm& term : terms) {
    if (term.board != board) continue;
    if (board_only || term.all_variants || term.variant == variant) return true;
  }
  return false;
}

// --flash_skip: a board with several variants becomes a board with the one variant "unknown",
// for its tentacles (their own variant lists included), its cells and its test ids.
void CollapseVariants(sched::CampaignPlan* plan) {
  for (auto& [name, board] : plan->boards) {
    if (board.variants_size() <= 1) continue;
    board.clear_variants();
    board.add_variants(kUnknownVariant);
    auto selected = plan->variants_by_board.find(name);
    if (selected != plan->variants_by_board.end()) selected->second = {kUnknownVariant};
    for (proto::InventoryEntry& entry : plan->tentacles) {
      if (entry.board() == name) entry.clear_variants();
    }
  }
}

}  // namespace

absl::Status CheckFilters(const Filters& filters) {
  if (!filters.only_board.empty() && !filters.skip_board.empty()) {
    return Usage("skip-board", "cannot be combined with --only-board");
  }
  if (!filters.only_test.empty() && !filters.skip_test.empty()) {
    return Usage("skip-test", "cannot be combined with --only-test");
  }
  if (!filters.only_fut.empty() && !filters.skip_fut.empty()) {
    return Usage("skip-fut", "cannot be combined with --only-fut");
  }
  int with_command = 0;
  for (const std::string& test : filters.only_test)
    with_command += test.find(':') != std::string::npos;
  if (with_command > 1) return Usage("only-test", "only one LABEL:command entry is allowed");
  if (with_command == 1 && (!filters.only_fut.empty() || !filters.skip_fut.empty())) {
    return Usage("only-test", "LABEL:command cannot be combined with --only-fut/--skip-fut");
  }
  for (const std::string& tag : filters.only_tag) {
    std::pair<std::string, std::string> kv = absl::StrSplit(tag, absl::MaxSplits('=', 1));
    if (kv.first.empty() || kv.second.empty()) {
      return Usage("only-tag", absl::StrCat("'", tag, "': expected key=value1,value2"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<sched::CampaignPlan> SelectPlan(const sched::LabConfig& lab,
                                               const Filters& filters) {
  if (absl::Status status = CheckFilters(filters); !status.ok()) return status;
  sched::CampaignPlan plan;
  plan.boards = lab.boards;
  // Specs: only_test -> skip_test -> skip_fut -> only_fut, as the anchor.
  std::set<std::string> labels, futs;
  for (const proto::TestRunSpec& spec : lab.specs) {
    labels.insert(spec.label());
    futs.insert(spec.fut());
  }
  std::map<std::string, std::string> replaced_args;
  std::vector<std::string> only_labels;
  for (const std::string& test : filters.only_test) {
    std::pair<std::string, std::string> parts = absl::StrSplit(test, absl::MaxSplits(':', 1));
    only_labels.push_back(parts.first);
    if (test.find(':') != std::string::npos) replaced_args[parts.first] = parts.second;
  }
  for (const auto& [flag, list] :
       {std::pair{"only-test", only_labels}, std::pair{"skip-test", filters.skip_test}}) {
    for (const std::string& label : list) {
      if (!labels.count(label)) {
        return Usage(flag, absl::StrCat("unknown test '", label,
                                        "' (known: ", absl::StrJoin(labels, ", "), ")"));
      }
    }
  }
  for (const auto& [flag, list] :
       {std::pair{"only-fut", filters.only_fut}, std::pair{"skip-fut", filters.skip_fut}}) {
    for (std::string fut : list) {
      fut = std::string(absl::StripPrefix(fut, "FUT_"));
      if (!futs.count(fut)) {
        return Usage(flag, absl::StrCat("unknown feature '", fut,
                                        "' (known: ", absl::StrJoin(futs, ", "), ")"));
      }
    }
  }
  auto fut_listed = [](const std::vector<std::string>& list, const std::string& fut) {
    return Contains(list, fut) || Contains(list, "FUT_" + fut);
  };
  bool two_tentacles = false;
  for (proto::TestRunSpec spec : lab.specs) {
    if (!only_labels.empty() && !Contains(only_labels, spec.label())) continue;
    if (Contains(filters.skip_test, spec.label())) continue;
    if (fut_listed(filters.skip_fut, spec.fut())) continue;
    if (!filters.only_fut.empty() && !fut_listed(filters.only_fut, spec.fut())) continue;
    if (auto it = replaced_args.find(spec.label()); it != replaced_args.end()) {
      spec.clear_args();
      std::vector<absl::string_view> args = absl::StrSplit(it->second, ' ', absl::SkipEmpty());
      // The anchor's form names the runner first ('RUN-TESTS_STANDARD:run-tests.py -d basics');
      // the spec's harness is the runner, so only its arguments are kept.
      if (!args.empty() && absl::StartsWith(args[0].substr(args[0].rfind('/') + 1), "run-") &&
          absl::EndsWith(args[0], ".py")) {
        args.erase(args.begin());
      }
      for (absl::string_view arg : args) spec.add_args(std::string(arg));
    }
    two_tentacles |= spec.tentacles() == 2;
    plan.specs.push_back(spec);
  }
  // Tentacles and variants.
  absl::StatusOr<std::vector<BoardTerm>> only =
      ParseBoards(lab, filters.only_board, "only-board", filters.flash_skip);
  if (!only.ok()) return only.status();
  absl::StatusOr<std::vector<BoardTerm>> skip =
      ParseBoards(lab, filters.skip_board, "skip-board", filters.flash_skip);
  if (!skip.ok()) return skip.status();
  for (const proto::InventoryEntry& entry : lab.inventory.tentacles()) {
    bool tags_match = true;
    for (const std::string& tag : filters.only_tag) {
      std::pair<std::string, std::string> kv = absl::StrSplit(tag, absl::MaxSplits('=', 1));
      auto it = entry.tags().find(kv.first);
      std::vector<std::string> values = absl::StrSplit(kv.second, ',');
      if (it == entry.tags().end() || !Contains(values, it->second)) tags_match = false;
    }
    if (!tags_match) continue;
    if (!only->empty() && !Matches(*only, entry.board(), "", true)) continue;
    std::vector<std::string> variants;
    for (const std::string& variant :
         sched::TentacleVariants(lab.boards.at(entry.board()), entry)) {
      if (!only->empty() && !Matches(*only, entry.board(), variant, false)) continue;
      if (Matches(*skip, entry.board(), variant, false)) continue;
      variants.push_back(variant);
    }
    if (variants.empty()) continue;
    plan.tentacles.push_back(entry);
    std::vector<std::string>& board_variants = plan.variants_by_board[entry.board()];
    for (const std::string& variant : lab.boards.at(entry.board()).variants()) {
      if (Contains(variants, variant) && !Contains(board_variants, variant)) {
        board_variants.push_back(variant);
      }
    }
  }
  // Keep the board's variant order.
  for (auto& [board, variants] : plan.variants_by_board) {
    std::vector<std::string> ordered;
    for (const std::string& variant : lab.boards.at(board).variants()) {
      if (Contains(variants, variant)) ordered.push_back(variant);
    }
    variants = ordered;
  }
  if (two_tentacles) {
    std::string reference_board = filters.reference_board;
    if (!reference_board.empty() && !lab.boards.count(reference_board)) {
      return Usage("reference_board", absl::StrCat("unknown board '", reference_board, "'"));
    }
    for (const proto::InventoryEntry& entry : lab.inventory.tentacles()) {
      bool tagged = entry.tags().count("reference") && entry.tags().at("reference") == "true";
      bool wanted = reference_board.empty() ? tagged || entry.board() == "RPI_PICO_W"
                                            : entry.board() == reference_board;
      if (!wanted) continue;
      plan.reference = entry.label();
      bool present = false;
      for (const proto::InventoryEntry& selected : plan.tentacles) {
        present |= selected.label() == entry.label();
      }
      if (!present) plan.tentacles.push_back(entry);
      break;
    }
  }
  if (filters.flash_skip) CollapseVariants(&plan);
  for (const std::string& value : filters.split) {
    std::pair<std::string, std::string> parts = absl::StrSplit(value, absl::MaxSplits('=', 1));
    int split = 0;
    if (!labels.count(parts.first) || !absl::SimpleAtoi(parts.second, &split)) {
      return Usage("split", absl::StrCat("'", value, "': expected LABEL=K with a test kind (",
                                         absl::StrJoin(labels, ", "), ") and a number"));
    }
    for (proto::TestRunSpec& spec : plan.specs) {
      if (spec.label() != parts.first) continue;
      if (absl::Status status =
              sched::CheckSplit(spec, split, absl::StrCat("--split: '", value, "'"));
          !status.ok()) {
        return absl::InvalidArgumentError(status.message());
      }
      spec.set_split(split);
    }
  }
  plan.specs = sched::ExpandSplits(plan.specs);
  return plan;
}

}  // namespace mptest::cli
