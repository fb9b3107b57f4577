// A target whose parameters cannot be read: a generic lambda (auto parameters).
// EXPECT-ERROR: static assertion failed: pcall: the target must be a function, a function pointer,
// or an object with one non-template operator\(\)
#include "core/process/pcall.h"

namespace mptest::process {
void Misuse() {
  (void)pcall([](auto value) { return value; }, iargs(args(1)));
}
}  // namespace mptest::process
