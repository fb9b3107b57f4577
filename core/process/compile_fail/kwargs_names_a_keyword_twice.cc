// A target's Kwargs<...> that names a keyword twice (here once optional, once Required).
// EXPECT-ERROR: static assertion failed: Kwargs<...> names a keyword twice
#include "core/process/pcall.h"

namespace mptest::process {
MPTEST_KEYWORD(x, int);
int Twice(const Kwargs<x_kw, Required<x_kw>>& kwargs) { return kwargs[kw::x]; }
void Misuse() { (void)pcall(Twice, kw::x = 1); }
}  // namespace mptest::process
