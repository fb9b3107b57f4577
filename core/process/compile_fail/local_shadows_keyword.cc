// A local variable named like a keyword: `x = 9600` assigns to the local and passes an int.
// EXPECT-ERROR: static assertion failed: pcall: argument 2 \(the target is argument 1\) is neither
// a spec EXPECT-OUTPUT: write kw::name
#include "core/process/pcall.h"

namespace mptest::process {
MPTEST_KEYWORD(x, int);
int Speed(const Kwargs<x_kw>& kwargs) { return kwargs.get_or(kw::x, 115200); }
void Misuse() {
  int x = 0;
  (void)pcall(Speed, x = 9600);
}
}  // namespace mptest::process
