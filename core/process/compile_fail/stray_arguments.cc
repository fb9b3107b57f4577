// Values that are not specs: each is an error naming its position (4 and 5; the target is 1).
// EXPECT-ERROR: static assertion failed: pcall: argument 4 \(the target is argument 1\) is neither
// a spec EXPECT-OUTPUT: static assertion failed: pcall: argument 5 (the target is argument 1)
// EXPECT-ERRORS: 2
#include "core/process/pcall.h"

namespace mptest::process {
MPTEST_KEYWORD(x, int);
int NoKw(int value) { return value; }
void Misuse() { (void)pcall(NoKw, iargs(args(1), args(2)), kw::x = 7, 5, "stray"); }
}  // namespace mptest::process
