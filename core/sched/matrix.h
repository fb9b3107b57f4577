// The test matrix: spec x board x variant x role, handed out lazily to free tentacles whose
// firmware is built, in the anchor's order (priority, boards with many variants first, runs that
// avoid reflashing, then test id). Two-tentacle specs take a DUT and the reference tentacle
// together; a tentacle is never its own reference.
#ifndef MPTEST_CORE_SCHED_MATRIX_H_
#define MPTEST_CORE_SCHED_MATRIX_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/proto/board.pb.h"
#include "core/proto/tentacle.pb.h"

namespace mptest::sched {

inline constexpr char kRoleInstance0[] = "instance0";
inline constexpr char kRoleInstance1[] = "instance1";
// Runs expected to take at least 1/this of the longest one that could start count as equally long
// when the matrix weighs a longer run against avoiding a reflash (or the anchor's board order).
inline constexpr double kSimilarLengthRatio = 1.5;

// A tentacle as the matrix tracks it.
struct TentacleSlot {
  std::string label;
  std::string serial4;  // short id used in test ids
  std::string board;
  std::vector<std::string> variants;  // variants this tentacle may run
  std::string flashed_variant;  // what it was last flashed with in this campaign ("" = unknown)
  bool flashed_known = false;
  bool busy = false;
  bool quarantined = false;
  std::string quarantine_reason;  // why, for the runs that cannot run because of it
};

// One cell of the matrix still to do.
struct TodoEntry {
  int spec = 0;
  std::string board;
  std::string variant;
  std::string role;   // "" for one-tentacle specs, instance0 / instance1 otherwise
  int tentacle = -1;  // the one tentacle slot this cell must run on; -1 = any of its board
};

// A run the matrix handed out: the entry and the tentacles it reserved (role order).
struct PlannedRun {
  TodoEntry entry;
  std::vector<int> tentacles;  // [dut] or, for two-tentacle specs, [instance0, instance1]
  int dut = -1;
  int reference = -1;
  std::string testid;     // without the attempt letter
  double expected_s = 0;  // the matrix's estimate of its duration when it started (0 = none)
  bool firmware_already_flashed = false;
};

// The short serial of a tentacle: the last 4 characters of its USB serial, else its label up to
// the first '-'.
std::string Serial4(const proto::InventoryEntry& entry);

// <LABEL>@<serial4>-<BOARD>[-<VARIANT>][-<role>]
std::string MakeTestId(const std::string& label, const std::string& serial4,
                       const std::string& board, const std::string& variant,
                       const std::string& role);

// How long a cell took last time, in seconds, by EstimateKey: what the history-aware order uses.
using DurationEstimates = std::map<std::string, double>;
std::string EstimateKey(const std::string& label, const std::string& board,
                        const std::string& variant);
// The parts of an EstimateKey, split from the right (a label may hold '|', boards and variants
// do not). False when `key` is not one.
bool SplitEstimateKey(const std::string& key, std::string* label, std::string* board,
                      std::string* variant);

class Matrix {
 public:
  // `tentacles`: the selected tentacles; `reference`: index of the reference tentacle in it or
  // -1; `variants_by_board`: the variants to test per board (after --only-board filtering).
  // Specs with tentacles == 2 get instance0 and instance1 entries; they are only expanded when
  // a reference tentacle exists. With `estimates` (durations of an earlier campaign) or
  // durations observed in this one (Observe), runs expected to take longest start first after
  // priority (longest-processing-time order, which shortens the campaign): a cell's own history,
  // else the mean of its label (history and this campaign), else the mean of everything known.
  // Across boards, the one with the most estimated work left per tentacle first; across its
  // variants, runs within kSimilarLengthRatio of the longest count as equally long and the
  // anchor's order (no reflash) picks among them. While nothing is known the order is
  // exactly the anchor's. `cell_per_tentacle`: one-tentacle
  // specs get a cell per tentacle instead of per board (the flash command flashes every one).
  Matrix(std::vector<proto::TestRunSpec> specs, std::vector<TentacleSlot> tentacles,
         std::map<std::string, std::vector<std::string>> variants_by_board,
         std::map<std::string, std::vector<std::string>> features_by_board, int reference,
         DurationEstimates estimates = {}, bool cell_per_tentacle = false);
  Matrix(const Matrix&) = delete;
  Matrix& operator=(const Matrix&) = delete;

  // Firmware for board/variant can be flashed now.
  void SetFirmwareReady(const std::string& board, const std::string& variant);
  bool FirmwareReady(const std::string& board, const std::string& variant) const;

  // The best run that can start now, reserved (its entry removed, its tentacles busy), or
  // nothing.
  std::optional<PlannedRun> Next();

  // The run ended: its tentacles are free again. `firmware_known`: the run ended cleanly, so
  // the DUT holds the run's variant and the reference its variant; otherwise both are unknown.
  void Release(const PlannedRun& run, bool firmware_known);

  // The run never ran to its end for a reason outside it (its host was lost): its tentacles
  // are free again, their firmware unknown, and its cell waits to run again (on any tentacle of
  // its board that is usable then).
  void Requeue(const PlannedRun& run);

  // A run of `label` ended cleanly after `seconds`: cells of that label without history of
  // their own are now expected to take the label's mean (history and this campaign), and labels
  // never seen the mean of everything known. Labels not in the matrix and durations that are
  // not positive are ignored.
  void Observe(const std::string& label, double seconds);

  // What a run of spec `spec` is expected to take now: the mean of its label's durations (from
  // the history and this campaign), else of every duration known, else 0.
  double SpecEstimate(int spec) const;

  // Seconds until everything is done: the work still waiting plus `running_left` (the
  // expected seconds still to go of the runs under way, by board), on the board with the most
  // of it per usable tentacle, and no less than all of it over `jobs` (0 = no --jobs limit).
  // Nothing while no duration is known (a first campaign before its first run ends).
  std::optional<double> EstimateRemaining(const std::map<std::string, double>& running_left,
                                          int jobs) const;

  // Takes the tentacle out of the campaign (it must not be busy); `reason` says why, in the
  // message of every run left without a usable tentacle.
  void Quarantine(int tentacle, std::string reason);

  // Removes and returns every entry that needs board/variant firmware (as DUT or, when the
  // board is the reference tentacle's, as reference): its build failed.
  std::vector<TodoEntry> DropFirmware(const std::string& board, const std::string& variant);

  // Removes and returns entries no tentacle can ever run (board without a usable tentacle, a
  // two-tentacle spec whose only tentacle of the board is the reference).
  std::vector<std::pair<TodoEntry, std::string>> DropUnreachable();

  // Removes and returns everything left.
  std::vector<TodoEntry> DropAll();

  int total() const { return total_; }
  int remaining() const { return remaining_; }
  const std::vector<proto::TestRunSpec>& specs() const { return specs_; }
  const std::vector<TentacleSlot>& tentacles() const { return tentacles_; }
  int reference() const { return reference_; }
  std::string ReferenceVariant() const;

 private:
  // A cell still to do, with what is fixed about its place in the order.
  struct Pending {
    TodoEntry entry;
    double history = -1;  // the cell's own estimate, -1 = none
    int label_id = 0;     // index into label_stats_
  };
  // Mean durations seen for a label (or for everything).
  struct Stats {
    double sum = 0;
    int count = 0;
  };
  // A board-variant's cells in the anchor's order: priority (high first), label, role, tentacle.
  // Estimates change as runs end, so the long-first choice is made in Next, not by the order.
  using Group = std::vector<Pending>;
  using GroupKey = std::pair<std::string, std::string>;  // board, variant

  double Estimate(const Pending& pending) const;
  // The estimated work still to start on the board, per usable tentacle of it.
  double BoardLoad(const std::string& board) const;
  bool AnchorBefore(const Pending& a, const Pending& b) const;
  // The group's best cell that can run now with `dut_single` / `dut_pair` as DUT (-1 = none
  // free), or group.end(). Sets *dut.
  Group::iterator BestInGroup(Group& group, int dut_single, int dut_pair, int* dut) const;

  // Best DUT for a group among free tentacles, or -1. Sets *flashed.
  int PickDut(const std::string& board, const std::string& variant, bool needs_reference,
              bool* flashed) const;
  bool ReferenceAvailable() const;
  int VariantCount(const std::string& board) const;

  std::vector<proto::TestRunSpec> specs_;
  std::vector<TentacleSlot> tentacles_;
  std::map<std::string, std::vector<std::string>> variants_by_board_;
  std::map<std::string, std::vector<int>> tentacles_by_board_;
  int reference_ = -1;
  std::map<std::string, int> label_ids_;
  std::vector<Stats> label_stats_;  // by label id
  Stats all_stats_;                 // every duration known, for labels never seen
  std::map<GroupKey, Group> groups_;
  std::set<GroupKey> ready_;
  int total_ = 0;
  int remaining_ = 0;
};

}  // namespace mptest::sched

#endif  // MPTEST_CORE_SCHED_MATRIX_H_
