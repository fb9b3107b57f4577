// Per-call keyword values of a type the keyword does not take.
// EXPECT-ERROR: static assertion failed: kw::name = Each\{...\}: the values must convert to the
// keyword's value type
#include "core/process/pcall.h"

namespace mptest::process {
MPTEST_KEYWORD(speed, int);
int Speed(const Kwargs<speed_kw>& kwargs) { return kwargs.get_or(kw::speed, 115200); }
void Misuse() { (void)pcall(Speed, kw::speed = Each{"fast", "slow"}); }
}  // namespace mptest::process
