// An overloaded function as the Pcall object's target.
// EXPECT-ERROR: use of deleted function
// .*Pcall\(.*OverloadedTarget_PickOneWith_static_cast_ToItsFunctionPointerType EXPECT-OUTPUT: Pcall
// p(static_cast<int (*)(int, int)>(Add), ...)
#include "core/process/pcall.h"

namespace mptest::process {
int Add(int x, int y) { return x + y; }
double Add(double x, double y) { return x + y; }
void Misuse() { Pcall p(Add, iargs(args(1, 2))); }
}  // namespace mptest::process
