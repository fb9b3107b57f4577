// iargs(...) whose calls give different types: one error, not a cascade from std::vector.
// EXPECT-ERROR: static assertion failed: iargs\(...\): every call's args\(...\) must have the same
// types
#include <string>

#include "core/process/pcall.h"

namespace mptest::process {
size_t Length(const std::string& name) { return name.size(); }
void Misuse() { (void)pcall(Length, iargs(args("a"), args(std::string("b")))); }
}  // namespace mptest::process
