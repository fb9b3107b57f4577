// A result that cannot cross a process boundary (C++'s "must be pickleable").
// EXPECT-ERROR: static assertion failed: mptest::process::Codec: this type cannot cross a process
// boundary
#include "core/process/pcall.h"

namespace mptest::process {
const int* Pointer(int) {
  static int value = 1;
  return &value;
}
void Misuse() { (void)pcall(Pointer, iargs(args(1))); }
}  // namespace mptest::process
