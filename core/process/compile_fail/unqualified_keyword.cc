// A keyword written without kw:: (and no local of that name): the compiler points to kw::.
// EXPECT-ERROR: 'speed' was not declared in this scope
// EXPECT-OUTPUT: did you mean 'mptest::process::kw::speed'?
#include "core/process/pcall.h"

namespace mptest::process {
MPTEST_KEYWORD(speed, int);
int Speed(const Kwargs<speed_kw>& kwargs) { return kwargs.get_or(kw::speed, 115200); }
void Misuse() { (void)pcall(Speed, speed = 9600); }
}  // namespace mptest::process
