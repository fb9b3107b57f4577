// ByName naming more parameters than the function has.
// EXPECT-ERROR: static assertion failed: ByName<&f, name_kw...>: more keywords than f has
// parameters
#include "core/process/pcall.h"

namespace mptest::process {
MPTEST_KEYWORD(x, int);
MPTEST_KEYWORD(y, int);
int Twice(int x) { return 2 * x; }
void Misuse() { (void)pcall(ByName<&Twice, x_kw, y_kw>, kw::x = 1, kw::y = 2); }
}  // namespace mptest::process
