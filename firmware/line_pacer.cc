// The slow-line pacer (see line_pacer.h).
#include "firmware/line_pacer.h"

#include <algorithm>
#include <cstdint>

namespace mptest::firmware {

size_t LinePacer::Budget(absl::Time now) {
  if (rate_ <= 0) return SIZE_MAX;
  if (window_start_ == absl::InfinitePast() || now - window_start_ >= absl::Seconds(1)) {
    window_start_ = now;
    used_ = 0;
  }
  int64_t allowed = static_cast<int64_t>(absl::ToDoubleSeconds(now - window_start_) * rate_) + 1;
  return static_cast<size_t>(std::max<int64_t>(0, allowed - used_));
}

}  // namespace mptest::firmware
