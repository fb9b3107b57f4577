// A keyword to a target that takes none (kw::x = 7 is a common keyword, as pyATS's a = 1).
// EXPECT-ERROR: static assertion failed: pcall: keyword arguments were passed, but the target takes
// no Kwargs<...> EXPECT-OUTPUT: ByName<&f, name_kw, ...>
#include "core/process/pcall.h"

namespace mptest::process {
MPTEST_KEYWORD(x, int);
int NoKw(int value) { return value; }
void Misuse() { (void)pcall(NoKw, iargs(args(1), args(2)), kw::x = 7); }
}  // namespace mptest::process
