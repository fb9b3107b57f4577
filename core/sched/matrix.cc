// The lazily generated test matrix (see matrix.h).
#include "core/sched/matrix.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "glog/logging.h"

namespace mptest::sched {

std::string Serial4(const proto::InventoryEntry& entry) {
  if (!entry.usb_serial().empty()) {
    const std::string& serial = entry.usb_serial();
    return serial.size() <= 4 ? serial : serial.substr(serial.size() - 4);
  }
  return entry.label().substr(0, entry.label().find('-'));
}

std::string MakeTestId(const std::string& label, const std::string& serial4,
                       const std::string& board, const std::string& variant,
                       const std::string& role) {
  std::string id = absl::StrCat(label, "@", serial4, "-", board);
  if (!variant.empty()) absl::StrAppend(&id, "-", variant);
  if (!role.empty()) absl::StrAppend(&id, "-", role);
  return id;
}

std::string EstimateKey(const std::string& label, const std::string& board,
                        const std::string& variant) {
  return absl::StrCat(label, "|", board, "|", variant);
}

bool SplitEstimateKey(const std::string& key, std::string* label, std::string* board,
                      std::string* variant) {
  size_t last = key.rfind('|');
  if (last == std::string::npos || last == 0) return false;
  size_t middle = key.rfind('|', last - 1);
  if (middle == std::string::npos) return false;
  *label = key.substr(0, middle);
  *board = key.substr(middle + 1, last - middle - 1);
  *variant = key.substr(last + 1);
  return true;
}

double Matrix::Estimate(const Pending& pending) const {
  if (pending.history >= 0) return pending.history;
  const Stats& label = label_stats_[pending.label_id];
  if (label.count > 0) return label.sum / label.count;
  return all_stats_.count > 0 ? all_stats_.sum / all_stats_.count : 0;
}

bool Matrix::AnchorBefore(const Pending& a, const Pending& b) const {
  const proto::TestRunSpec& sa = specs_[a.entry.spec];
  const proto::TestRunSpec& sb = specs_[b.entry.spec];
  return std::forward_as_tuple(-sa.priority(), sa.label(), a.entry.role, a.entry.tentacle,
                               a.entry.spec) < std::forward_as_tuple(-sb.priority(), sb.label(),
                                                                     b.entry.role, b.entry.tentacle,
                                                                     b.entry.spec);
}

Matrix::Matrix(std::vector<proto::TestRunSpec> specs, std::vector<TentacleSlot> tentacles,
               std::map<std::string, std::vector<std::string>> variants_by_board,
               std::map<std::string, std::vector<std::string>> features_by_board, int reference,
               DurationEstimates estimates, bool cell_per_tentacle)
    : specs_(std::move(specs)),
      tentacles_(std::move(tentacles)),
      variants_by_board_(std::move(variants_by_board)),
      reference_(reference) {
  for (const proto::TestRunSpec& spec : specs_) {
    if (label_ids_.emplace(spec.label(), label_stats_.size()).second) label_stats_.emplace_back();
  }
  for (const auto& [key, seconds] : estimates) {
    std::string label_name, board, variant;
    if (!SplitEstimateKey(key, &label_name, &board, &variant)) continue;
    auto label = label_ids_.find(label_name);
    if (label == label_ids_.end() || !(seconds > 0)) continue;
    label_stats_[label->second].sum += seconds;
    ++label_stats_[label->second].count;
    all_stats_.sum += seconds;
    ++all_stats_.count;
  }
  for (int i = 0; i < static_cast<int>(tentacles_.size()); ++i) {
    tentacles_by_board_[tentacles_[i].board].push_back(i);
  }
  for (int s = 0; s < static_cast<int>(specs_.size()); ++s) {
    const proto::TestRunSpec& spec = specs_[s];
    bool two = spec.tentacles() == 2;
    if (two && reference_ < 0) continue;
    for (const auto& [board, variants] : variants_by_board_) {
      const std::vector<std::string>& features = features_by_board[board];
      // A spec without a feature under test (the flash command's) runs on every board.
      if (!spec.fut().empty() &&
          std::find(features.begin(), features.end(), spec.fut()) == features.end()) {
        continue;
      }
      for (const std::string& variant : variants) {
        Group& group = groups_[GroupKey(board, variant)];
        Pending pending;
        pending.label_id = label_ids_.at(spec.label());
        auto history = estimates.find(EstimateKey(spec.label(), board, variant));
        if (history != estimates.end() && history->second > 0) pending.history = history->second;
        auto add = [&](const std::string& role, int tentacle) {
          pending.entry = TodoEntry{s, board, variant, role, tentacle};
          group.push_back(pending);
          ++total_;
        };
        if (two) {
          add(kRoleInstance0, -1);
          add(kRoleInstance1, -1);
        } else if (cell_per_tentacle) {
          for (int index : tentacles_by_board_[board]) {
            const std::vector<std::string>& own = tentacles_[index].variants;
            if (std::find(own.begin(), own.end(), variant) != own.end()) add("", index);
          }
        } else {
          add("", -1);
        }
      }
    }
  }
  for (auto& [key, group] : groups_) {
    std::sort(group.begin(), group.end(),
              [this](const Pending& a, const Pending& b) { return AnchorBefore(a, b); });
  }
  remaining_ = total_;
}

void Matrix::Observe(const std::string& label, double seconds) {
  auto it = label_ids_.find(label);
  if (it == label_ids_.end() || !(seconds > 0) || !std::isfinite(seconds)) return;
  label_stats_[it->second].sum += seconds;
  ++label_stats_[it->second].count;
  all_stats_.sum += seconds;
  ++all_stats_.count;
}

double Matrix::SpecEstimate(int spec) const {
  auto it = label_ids_.find(specs_[spec].label());
  if (it != label_ids_.end() && label_stats_[it->second].count > 0) {
    return label_stats_[it->second].sum / label_stats_[it->second].count;
  }
  return all_stats_.count > 0 ? all_stats_.sum / all_stats_.count : 0;
}

std::optional<double> Matrix::EstimateRemaining(const std::map<std::string, double>& running_left,
                                                int jobs) const {
  if (all_stats_.count == 0) return std::nullopt;
  std::map<std::string, double> work = running_left;
  for (const auto& [key, group] : groups_) {
    for (const Pending& pending : group) work[key.first] += Estimate(pending);
  }
  double total = 0;
  double busiest = 0;
  for (const auto& [board, seconds] : work) {
    total += seconds;
    int usable = 0;
    auto tentacles = tentacles_by_board_.find(board);
    if (tentacles != tentacles_by_board_.end()) {
      for (int index : tentacles->second) usable += !tentacles_[index].quarantined;
    }
    busiest = std::max(busiest, seconds / std::max(usable, 1));
  }
  return jobs > 0 ? std::max(busiest, total / jobs) : busiest;
}

void Matrix::SetFirmwareReady(const std::string& board, const std::string& variant) {
  ready_.insert(GroupKey(board, variant));
}

bool Matrix::FirmwareReady(const std::string& board, const std::string& variant) const {
  return ready_.count(GroupKey(board, variant)) > 0;
}

std::string Matrix::ReferenceVariant() const {
  if (reference_ < 0 || tentacles_[reference_].variants.empty()) return "";
  return tentacles_[reference_].variants.front();
}

bool Matrix::ReferenceAvailable() const {
  if (reference_ < 0) return false;
  const TentacleSlot& ref = tentacles_[reference_];
  return !ref.busy && !ref.quarantined && FirmwareReady(ref.board, ReferenceVariant());
}

int Matrix::VariantCount(const std::string& board) const {
  auto it = variants_by_board_.find(board);
  return it == variants_by_board_.end() ? 0 : static_cast<int>(it->second.size());
}

int Matrix::PickDut(const std::string& board, const std::string& variant, bool needs_reference,
                    bool* flashed) const {
  auto it = tentacles_by_board_.find(board);
  if (it == tentacles_by_board_.end()) return -1;
  int best = -1;
  *flashed = false;
  for (int index : it->second) {
    const TentacleSlot& slot = tentacles_[index];
    if (slot.busy || slot.quarantined) continue;
    if (needs_reference && index == reference_) continue;
    if (std::find(slot.variants.begin(), slot.variants.end(), variant) == slot.variants.end()) {
      continue;
    }
    bool slot_flashed = slot.flashed_known && slot.flashed_variant == variant;
    if (best < 0 || (slot_flashed && !*flashed) ||
        (slot_flashed == *flashed && slot.serial4 < tentacles_[best].serial4)) {
      best = index;
      *flashed = slot_flashed;
    }
  }
  return best;
}

Matrix::Group::iterator Matrix::BestInGroup(Group& group, int dut_single, int dut_pair,
                                            int* dut) const {
  const bool anything_known = all_stats_.count > 0;
  auto best = group.end();
  int best_priority = 0;
  double best_estimate = 0;
  for (auto it = group.begin(); it != group.end(); ++it) {
    const TodoEntry& entry = it->entry;
    int priority = specs_[entry.spec].priority();
    if (best != group.end() && priority < best_priority) break;  // the group is by priority
    int candidate = specs_[entry.spec].tentacles() == 2 ? dut_pair : dut_single;
    if (entry.tentacle >= 0) {  // bound to one tentacle
      const TentacleSlot& slot = tentacles_[entry.tentacle];
      candidate = slot.busy || slot.quarantined ? -1 : entry.tentacle;
    }
    if (candidate < 0) continue;
    if (!anything_known) {  // the anchor's order: the first cell that can run
      *dut = candidate;
      return it;
    }
    double estimate = Estimate(*it);
    if (best == group.end() || estimate > best_estimate) {
      best = it;
      best_priority = priority;
      best_estimate = estimate;
      *dut = candidate;
    }
  }
  return best;
}

double Matrix::BoardLoad(const std::string& board) const {
  double work = 0;
  for (auto it = groups_.lower_bound(GroupKey(board, ""));
       it != groups_.end() && it->first.first == board; ++it) {
    for (const Pending& pending : it->second) work += Estimate(pending);
  }
  int usable = 0;
  for (int index : tentacles_by_board_.at(board)) usable += !tentacles_[index].quarantined;
  return usable > 0 ? work / usable : 0;
}

std::optional<PlannedRun> Matrix::Next() {
  // Each board-variant's best cell that can run now.
  struct Candidate {
    Group* group;
    Group::iterator it;
    int dut;
    bool flashed;
    double estimate;
    std::string testid;
  };
  std::vector<Candidate> candidates;
  bool reference_available = ReferenceAvailable();
  for (auto& [key, group] : groups_) {
    if (group.empty() || ready_.count(key) == 0) continue;
    bool flashed_single = false;
    bool flashed_pair = false;
    int dut_single = PickDut(key.first, key.second, false, &flashed_single);
    if (dut_single < 0) continue;  // no free tentacle for this board-variant at all
    int dut_pair = reference_available ? PickDut(key.first, key.second, true, &flashed_pair) : -1;
    int dut = -1;
    auto it = BestInGroup(group, dut_single, dut_pair, &dut);
    if (it == group.end()) continue;
    const TodoEntry& entry = it->entry;
    const proto::TestRunSpec& spec = specs_[entry.spec];
    const TentacleSlot& slot = tentacles_[dut];
    bool flashed = entry.tentacle >= 0 ? slot.flashed_known && slot.flashed_variant == key.second
                                       : (spec.tentacles() == 2 ? flashed_pair : flashed_single);
    candidates.push_back(
        Candidate{&group, it, dut, flashed, Estimate(*it),
                  MakeTestId(spec.label(), slot.serial4, key.first, key.second, entry.role)});
  }
  if (candidates.empty()) return std::nullopt;
  // The highest priority first; once durations are known, the board with the most estimated
  // work left per tentacle (it decides when the campaign ends; this matters when --jobs, not
  // the tentacles, limits what runs). Among its runs, those expected to take at least
  // 1 / kSimilarLengthRatio of the longest count as equally long, and of those the anchor's
  // order decides (boards with many variants, no reflash), then the longer, then the test id.
  auto priority = [this](const Candidate& c) { return specs_[c.it->entry.spec].priority(); };
  int top_priority = std::numeric_limits<int>::min();
  for (const Candidate& c : candidates) top_priority = std::max(top_priority, priority(c));
  std::map<std::string, double> loads;
  std::string busiest;
  if (all_stats_.count > 0) {
    for (const Candidate& c : candidates) {
      if (priority(c) != top_priority) continue;
      const std::string& board = c.it->entry.board;
      auto [it, added] = loads.emplace(board, 0.0);
      if (added) it->second = BoardLoad(board);
      if (busiest.empty() || it->second > loads[busiest]) busiest = board;
    }
  }
  double longest = 0;
  for (const Candidate& c : candidates) {
    if (priority(c) == top_priority && (busiest.empty() || c.it->entry.board == busiest)) {
      longest = std::max(longest, c.estimate);
    }
  }
  const Candidate* chosen = nullptr;
  auto order = [this](const Candidate& c) {
    return std::make_tuple(-VariantCount(c.it->entry.board), c.flashed ? 0 : 1, -c.estimate,
                           std::cref(c.testid));
  };
  for (const Candidate& c : candidates) {
    if (priority(c) != top_priority || c.estimate * kSimilarLengthRatio < longest) continue;
    if (!busiest.empty() && c.it->entry.board != busiest) continue;
    if (!chosen || order(c) < order(*chosen)) chosen = &c;
  }
  const TodoEntry& entry = chosen->it->entry;
  PlannedRun run;
  run.entry = entry;
  run.dut = chosen->dut;
  run.testid = chosen->testid;
  run.firmware_already_flashed = chosen->flashed;
  run.expected_s = chosen->estimate;
  if (specs_[entry.spec].tentacles() == 2) {
    run.reference = reference_;
    run.tentacles = entry.role == kRoleInstance0 ? std::vector<int>{run.dut, reference_}
                                                 : std::vector<int>{reference_, run.dut};
  } else {
    run.tentacles = {run.dut};
  }
  chosen->group->erase(chosen->it);
  for (int index : run.tentacles) {
    CHECK(!tentacles_[index].busy) << tentacles_[index].label;
    tentacles_[index].busy = true;
  }
  --remaining_;
  return run;
}

void Matrix::Release(const PlannedRun& run, bool firmware_known) {
  for (int index : run.tentacles) tentacles_[index].busy = false;
  TentacleSlot& dut = tentacles_[run.dut];
  dut.flashed_variant = run.entry.variant;
  dut.flashed_known = firmware_known;
  if (run.reference >= 0) {
    tentacles_[run.reference].flashed_variant = ReferenceVariant();
    tentacles_[run.reference].flashed_known = firmware_known;
  }
}

void Matrix::Requeue(const PlannedRun& run) {
  Release(run, false);
  Pending pending;
  pending.entry = run.entry;
  pending.label_id = label_ids_.at(specs_[run.entry.spec].label());
  if (run.expected_s > 0) pending.history = run.expected_s;
  Group& group = groups_[GroupKey(run.entry.board, run.entry.variant)];
  group.insert(std::upper_bound(group.begin(), group.end(), pending,
                                [this](const Pending& a, const Pending& b) {
                                  return AnchorBefore(a, b);
                                }),
               pending);
  ++remaining_;
}

void Matrix::Quarantine(int tentacle, std::string reason) {
  CHECK(!tentacles_[tentacle].busy) << tentacles_[tentacle].label;
  tentacles_[tentacle].quarantined = true;
  tentacles_[tentacle].quarantine_reason = std::move(reason);
}

std::vector<TodoEntry> Matrix::DropFirmware(const std::string& board, const std::string& variant) {
  std::vector<TodoEntry> dropped;
  bool is_reference =
      reference_ >= 0 && tentacles_[reference_].board == board && ReferenceVariant() == variant;
  for (auto& [key, group] : groups_) {
    for (auto it = group.begin(); it != group.end();) {
      bool needs = key == GroupKey(board, variant) ||
                   (is_reference && specs_[it->entry.spec].tentacles() == 2);
      if (needs) {
        dropped.push_back(it->entry);
        it = group.erase(it);
      } else {
        ++it;
      }
    }
  }
  remaining_ -= static_cast<int>(dropped.size());
  return dropped;
}

std::vector<std::pair<TodoEntry, std::string>> Matrix::DropUnreachable() {
  std::vector<std::pair<TodoEntry, std::string>> dropped;
  bool reference_usable = reference_ >= 0 && !tentacles_[reference_].quarantined;
  for (auto& [key, group] : groups_) {
    for (auto it = group.begin(); it != group.end();) {
      bool two = specs_[it->entry.spec].tentacles() == 2;
      bool any = false;
      std::vector<std::string> why;  // the quarantined tentacles' reasons
      for (int index : tentacles_by_board_[key.first]) {
        const TentacleSlot& slot = tentacles_[index];
        if (slot.quarantined && !slot.quarantine_reason.empty() && !(two && index == reference_)) {
          why.push_back(absl::StrCat(slot.label, ": ", slot.quarantine_reason));
        }
        if (slot.quarantined || (two && index == reference_)) continue;
        if (it->entry.tentacle >= 0 && index != it->entry.tentacle) continue;
        if (std::find(slot.variants.begin(), slot.variants.end(), key.second) !=
            slot.variants.end()) {
          any = true;
        }
      }
      std::string reason;
      if (two && !reference_usable) {
        reason = "the reference tentacle is quarantined";
      } else if (!any) {
        reason = two ? "no tentacle of this board other than the reference tentacle"
                     : "no usable tentacle of this board (all quarantined)";
        if (!why.empty()) absl::StrAppend(&reason, ": ", absl::StrJoin(why, "; "));
      }
      if (!reason.empty()) {
        dropped.emplace_back(it->entry, reason);
        it = group.erase(it);
      } else {
        ++it;
      }
    }
  }
  remaining_ -= static_cast<int>(dropped.size());
  return dropped;
}

std::vector<TodoEntry> Matrix::DropAll() {
  std::vector<TodoEntry> dropped;
  for (auto& [key, group] : groups_) {
    for (const Pending& pending : group) dropped.push_back(pending.entry);
    group.clear();
  }
  remaining_ = 0;
  return dropped;
}

}  // namespace mptest::sched
