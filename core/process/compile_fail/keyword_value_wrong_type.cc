// A keyword value of a type the keyword does not take: one error naming both types.
// EXPECT-ERROR: static assertion failed: kw::name = value: the value \(U above\) must convert to
// the keyword's value type \(T above\) EXPECT-OUTPUT: [with U = const char (&)[5];
// <template-parameter-2-2> = void; Derived = mptest::process::speed_kw; T = int]
#include "core/process/pcall.h"

namespace mptest::process {
MPTEST_KEYWORD(speed, int);
int Speed(const Kwargs<speed_kw>& kwargs) { return kwargs.get_or(kw::speed, 115200); }
void Misuse() { (void)pcall(Speed, kw::speed = "fast"); }
}  // namespace mptest::process
