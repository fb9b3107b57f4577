// An overloaded function: C++ cannot pick one; the error names the cast to write.
// EXPECT-ERROR: use of deleted function
// .*pcall\(OverloadedTarget_PickOneWith_static_cast_ToItsFunctionPointerType EXPECT-OUTPUT:
// pcall(static_cast<int (*)(int, int)>(Add), ...) EXPECT-ERRORS: 1
#include "core/process/pcall.h"

namespace mptest::process {
int Add(int x, int y) { return x + y; }
double Add(double x, double y) { return x + y; }
void Misuse() { (void)pcall(Add, iargs(args(1, 2), args(3, 4))); }
}  // namespace mptest::process
