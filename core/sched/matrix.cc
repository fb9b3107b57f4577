// The lazily generated test matrix (see matrix.h).
#include "core/sched/matrix.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
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

double Matrix::Estimate(const TodoEntry& entry) const {
  if (estimates_.empty()) return 0;
  const std::string& label = specs_[entry.spec].label();
  auto it = estimates_.find(EstimateKey(label, entry.board, entry.variant));
  if (it != estimates_.end()) return it->second;
  auto mean = label_means_.find(label);
  return mean == label_means_.end() ? 0 : mean->second;
}

bool Matrix::EntryOrder::operator()(const TodoEntry& a, const TodoEntry& b) const {
  const proto::TestRunSpec& sa = matrix->specs_[a.spec];
  const proto::TestRunSpec& sb = matrix->specs_[b.spec];
  return std::make_tuple(-sa.priority(), -matrix->Estimate(a), sa.label(), a.role, a.tentacle) <
         std::make_tuple(-sb.priority(), -matrix->Estimate(b), sb.label(), b.role, b.tentacle);
}

Matrix::Matrix(std::vector<proto::TestRunSpec> specs, std::vector<TentacleSlot> tentacles,
               std::map<std::string, std::vector<std::string>> variants_by_board,
               std::map<std::string, std::vector<std::string>> features_by_board, int reference,
               DurationEstimates estimates, bool cell_per_tentacle)
    : specs_(std::move(specs)),
      tentacles_(std::move(tentacles)),
      variants_by_board_(std::move(variants_by_board)),
      reference_(reference),
      estimates_(std::move(estimates)) {
  std::map<std::string, std::pair<double, int>> sums;
  for (const auto& [key, seconds] : estimates_) {
    auto& sum = sums[key.substr(0, key.find('|'))];
    sum.first += seconds;
    ++sum.second;
  }
  for (const auto& [label, sum] : sums) label_means_[label] = sum.first / sum.second;
  for (int i = 0; i < static_cast<int>(tentacles_.size()); ++i) {
    tentacles_by_board_[tentacles_[i].board].push_back(i);
  }
  for (int s = 0; s < static_cast<int>(specs_.size()); ++s) {
    const proto::TestRunSpec& spec = specs_[s];
    bool two = spec.tentacles() == 2;
    if (two && reference_ < 0) continue;
    for (const auto& [board, variants] : variants_by_board_) {
      const std::vector<std::string>& features = features_by_board[board];
      if (std::find(features.begin(), features.end(), spec.fut()) == features.end()) continue;
      for (const std::string& variant : variants) {
        GroupKey key(board, variant);
        auto it = groups_.find(key);
        if (it == groups_.end()) it = groups_.emplace(key, Group(EntryOrder{this})).first;
        if (two) {
          it->second.insert(TodoEntry{s, board, variant, kRoleInstance0});
          it->second.insert(TodoEntry{s, board, variant, kRoleInstance1});
          total_ += 2;
        } else if (cell_per_tentacle) {
          for (int index : tentacles_by_board_[board]) {
            const std::vector<std::string>& own = tentacles_[index].variants;
            if (std::find(own.begin(), own.end(), variant) == own.end()) continue;
            it->second.insert(TodoEntry{s, board, variant, "", index});
            total_ += 1;
          }
        } else {
          it->second.insert(TodoEntry{s, board, variant, ""});
          total_ += 1;
        }
      }
    }
  }
  remaining_ = total_;
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

std::optional<PlannedRun> Matrix::Next() {
  std::optional<PlannedRun> best;
  std::tuple<int, double, int, int, std::string> best_key;
  bool reference_available = ReferenceAvailable();
  for (auto& [key, group] : groups_) {
    if (group.empty() || ready_.count(key) == 0) continue;
    bool flashed_single = false;
    bool flashed_pair = false;
    int dut_single = PickDut(key.first, key.second, false, &flashed_single);
    if (dut_single < 0) continue;  // no free tentacle for this board-variant at all
    int dut_pair = reference_available ? PickDut(key.first, key.second, true, &flashed_pair) : -1;
    // The first entry of the group (in priority order) that can run now.
    for (const TodoEntry& entry : group) {
      const proto::TestRunSpec& spec = specs_[entry.spec];
      bool two = spec.tentacles() == 2;
      int dut = two ? dut_pair : dut_single;
      bool flashed = two ? flashed_pair : flashed_single;
      if (entry.tentacle >= 0) {  // bound to one tentacle
        const TentacleSlot& slot = tentacles_[entry.tentacle];
        dut = slot.busy || slot.quarantined ? -1 : entry.tentacle;
        flashed = slot.flashed_known && slot.flashed_variant == key.second;
      }
      if (dut < 0) continue;
      std::string testid =
          MakeTestId(spec.label(), tentacles_[dut].serial4, key.first, key.second, entry.role);
      auto candidate_key = std::make_tuple(-spec.priority(), -Estimate(entry),
                                           -VariantCount(key.first), flashed ? 0 : 1, testid);
      if (!best || candidate_key < best_key) {
        best_key = candidate_key;
        PlannedRun run;
        run.entry = entry;
        run.dut = dut;
        run.testid = testid;
        run.firmware_already_flashed = flashed;
        if (two) {
          run.reference = reference_;
          run.tentacles = entry.role == kRoleInstance0 ? std::vector<int>{dut, reference_}
                                                       : std::vector<int>{reference_, dut};
        } else {
          run.tentacles = {dut};
        }
        best = std::move(run);
      }
      break;
    }
  }
  if (!best) return std::nullopt;
  groups_[GroupKey(best->entry.board, best->entry.variant)].erase(best->entry);
  for (int index : best->tentacles) {
    CHECK(!tentacles_[index].busy) << tentacles_[index].label;
    tentacles_[index].busy = true;
  }
  --remaining_;
  return best;
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

void Matrix::Quarantine(int tentacle) {
  CHECK(!tentacles_[tentacle].busy) << tentacles_[tentacle].label;
  tentacles_[tentacle].quarantined = true;
}

std::vector<TodoEntry> Matrix::DropFirmware(const std::string& board, const std::string& variant) {
  std::vector<TodoEntry> dropped;
  bool is_reference =
      reference_ >= 0 && tentacles_[reference_].board == board && ReferenceVariant() == variant;
  for (auto& [key, group] : groups_) {
    for (auto it = group.begin(); it != group.end();) {
      bool needs =
          key == GroupKey(board, variant) || (is_reference && specs_[it->spec].tentacles() == 2);
      if (needs) {
        dropped.push_back(*it);
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
      bool two = specs_[it->spec].tentacles() == 2;
      bool any = false;
      for (int index : tentacles_by_board_[key.first]) {
        const TentacleSlot& slot = tentacles_[index];
        if (slot.quarantined || (two && index == reference_)) continue;
        if (it->tentacle >= 0 && index != it->tentacle) continue;
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
      }
      if (!reason.empty()) {
        dropped.emplace_back(*it, reason);
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
    dropped.insert(dropped.end(), group.begin(), group.end());
    group.clear();
  }
  remaining_ = 0;
  return dropped;
}

}  // namespace mptest::sched
