// pcall(Add, x = 1, y = 2) on `int Add(int x, int y)`, written with positional specs that
// give one argument where the target takes two: one error with both lists, in order.
// EXPECT-ERROR: static assertion failed: pcall: the positional arguments \(cargs, then iargs\) do
// not match the target's parameters EXPECT-OUTPUT: [with Takes = TargetTakes<int, int>; Gives =
// SpecsGive<int>] EXPECT-ERRORS: 1
#include "core/process/pcall.h"

namespace mptest::process {
int Add(int x, int y) { return x + y; }
void Misuse() { (void)pcall(Add, iargs(args(1), args(2))); }
}  // namespace mptest::process
