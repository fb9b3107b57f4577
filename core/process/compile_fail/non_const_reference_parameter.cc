// A target that takes a parameter by non-const reference: each call has its own copy.
// EXPECT-ERROR: static assertion failed: pcall: the target takes a parameter by non-const reference
#include <string>

#include "core/process/pcall.h"

namespace mptest::process {
int Append(std::string& text) { return static_cast<int>(text.size()); }
void Misuse() { (void)pcall(Append, iargs(args(std::string("a")))); }
}  // namespace mptest::process
