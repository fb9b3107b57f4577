// ckwargs(...) (and kwargs(...)) with something that is not kw::name = value.
// EXPECT-ERROR: static assertion failed: kwargs\(...\) takes keyword bindings: kwargs\(kw::name =
// value, ...\)
#include "core/process/pcall.h"

namespace mptest::process {
MPTEST_KEYWORD(speed, int);
int Speed(const Kwargs<speed_kw>& kwargs) { return kwargs.get_or(kw::speed, 115200); }
void Misuse() { (void)pcall(Speed, ckwargs(9600)); }
}  // namespace mptest::process
