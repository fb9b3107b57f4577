// The Pcall object checks its arguments as pcall(...) does.
// EXPECT-ERROR: static assertion failed: pcall: argument 3 \(the target is argument 1\) is neither
// a spec
#include "core/process/pcall.h"

namespace mptest::process {
int NoKw(int value) { return value; }
void Misuse() { Pcall p(NoKw, iargs(args(1)), 5); }
}  // namespace mptest::process
