// Split test kinds (see shards.h).
#include "core/sched/shards.h"

#include "absl/strings/str_cat.h"

namespace mptest::sched {

absl::Status CheckSplit(const proto::TestRunSpec& spec, int split, absl::string_view where) {
  if (split < 0 || split > kMaxSplit) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": must be 0 to ", kMaxSplit, ", got ", split));
  }
  if (split > 1 && spec.tentacles() == 2) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": test kind '", spec.label(),
                     "' runs on two tentacles together (DUT + reference) and cannot be split"));
  }
  return absl::OkStatus();
}

std::vector<proto::TestRunSpec> ExpandSplits(const std::vector<proto::TestRunSpec>& specs) {
  std::vector<proto::TestRunSpec> expanded;
  for (const proto::TestRunSpec& spec : specs) {
    if (spec.split() <= 1) {
      expanded.push_back(spec);
      continue;
    }
    for (int index = 1; index <= spec.split(); ++index) {
      proto::TestRunSpec shard = spec;
      shard.clear_split();
      shard.set_label(absl::StrCat(spec.label(), ".", index, "of", spec.split()));
      shard.set_shard_index(index);
      shard.set_shard_count(spec.split());
      shard.set_shard_of(spec.label());
      expanded.push_back(std::move(shard));
    }
  }
  return expanded;
}

const std::string& KindLabel(const proto::TestRunSpec& spec) {
  return spec.shard_of().empty() ? spec.label() : spec.shard_of();
}

}  // namespace mptest::sched
