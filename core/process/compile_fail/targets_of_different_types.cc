// targets(...) of different signatures: one error, not a cascade from std::vector.
// EXPECT-ERROR: static assertion failed: targets\(...\): all targets must have the same type
#include "core/process/pcall.h"

namespace mptest::process {
int One(int value) { return value; }
int Two(int value, int more) { return value + more; }
void Misuse() { (void)pcall(targets(&One, &Two), iargs(args(1), args(2))); }
}  // namespace mptest::process
