// An ordinary function called by keyword (ByName): its named parameters are Required.
// EXPECT-ERROR: static assertion failed: pcall: the target's Kwargs<...> has Required<Keyword>
// \(above\) EXPECT-OUTPUT: [with Keyword = mptest::process::y_kw
#include "core/process/pcall.h"

namespace mptest::process {
MPTEST_KEYWORD(x, int);
MPTEST_KEYWORD(y, int);
int Add(int x, int y) { return x + y; }
void Misuse() { (void)pcall(ByName<&Add, x_kw, y_kw>, kw::x = Each{1, 2, 3}); }
}  // namespace mptest::process
