// A positional argument of the wrong type: cargs gives int, iargs gives double; the target
// takes int and const std::string&.
// EXPECT-ERROR: static assertion failed: pcall: the positional arguments \(cargs, then iargs\) do
// not match the target's parameters EXPECT-OUTPUT: Gives = SpecsGive<int, double>] EXPECT-ERRORS: 1
#include <string>

#include "core/process/pcall.h"

namespace mptest::process {
size_t Length(int board, const std::string& name) { return name.size() + board; }
void Misuse() { (void)pcall(Length, cargs(1), iargs(args(2.5))); }
}  // namespace mptest::process
