// Split test kinds: a kind with split K > 1 runs as K shards, each a test run of its own that any
// free tentacle of the board takes, so that K tentacles of one board share its tests. Shard i of
// K is labelled "<LABEL>.<i>of<K>", keeps the kind's label in shard_of (its results are reported
// under the kind's group), and its harness runs every K-th test of the kind's plan from the i-th.
#ifndef MPTEST_CORE_SCHED_SHARDS_H_
#define MPTEST_CORE_SCHED_SHARDS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "core/proto/tentacle.pb.h"

namespace mptest::sched {

inline constexpr int kMaxSplit = 64;

// Checks `split` for `spec`: 0 to kMaxSplit, and more than 1 only for one-tentacle kinds.
// InvalidArgument starting with `where` (e.g. "specs.textproto: spec 'X': field split").
absl::Status CheckSplit(const proto::TestRunSpec& spec, int split, absl::string_view where);

// Every spec with split > 1 replaced, in place in the order, by its shards.
std::vector<proto::TestRunSpec> ExpandSplits(const std::vector<proto::TestRunSpec>& specs);

// The label of the test kind a spec runs: shard_of for a shard, else its label.
const std::string& KindLabel(const proto::TestRunSpec& spec);

}  // namespace mptest::sched

#endif  // MPTEST_CORE_SCHED_SHARDS_H_
