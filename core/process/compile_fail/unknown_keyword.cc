// A keyword the target does not declare; the context names it and the target's Kwargs.
// EXPECT-ERROR: static assertion failed: pcall: a keyword argument \(Keyword above\) is not one of
// the target's Kwargs EXPECT-OUTPUT: [with Keyword = mptest::process::z_kw; TargetKwargs =
// mptest::process::Kwargs<mptest::process::x_kw, mptest::process::y_kw>]
#include "core/process/pcall.h"

namespace mptest::process {
MPTEST_KEYWORD(x, int);
MPTEST_KEYWORD(y, int);
MPTEST_KEYWORD(z, int);
int Add(const Kwargs<x_kw, y_kw>& kwargs) { return kwargs[kw::x] + kwargs[kw::y]; }
void Misuse() { (void)pcall(Add, kw::x = Each{1, 2}, kw::z = Each{3, 4}); }
}  // namespace mptest::process
