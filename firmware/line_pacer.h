// Paces bytes on a slow line (the slow-line fault): at most `bytes_per_second` pass, counted
// in one-second windows. One pacer per direction.
#ifndef MPTEST_FIRMWARE_LINE_PACER_H_
#define MPTEST_FIRMWARE_LINE_PACER_H_

#include <stddef.h>
#include <stdint.h>

#include "absl/time/time.h"

namespace mptest::firmware {

class LinePacer {
 public:
  explicit LinePacer(int bytes_per_second) : rate_(bytes_per_second) {}

  bool limited() const { return rate_ > 0; }
  // How many bytes may pass at `now` (SIZE_MAX on an unlimited line).
  size_t Budget(absl::Time now);
  // Records that n bytes passed.
  void Consume(size_t n) { used_ += n; }

 private:
  int rate_;
  absl::Time window_start_ = absl::InfinitePast();
  int64_t used_ = 0;
};

}  // namespace mptest::firmware

#endif  // MPTEST_FIRMWARE_LINE_PACER_H_
