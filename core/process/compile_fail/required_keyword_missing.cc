// A Required keyword not given to every call (the second ikwargs set lacks it).
// EXPECT-ERROR: static assertion failed: pcall: the target's Kwargs<...> has Required<Keyword>
// \(above\), and not every call is given it EXPECT-OUTPUT: [with Keyword = mptest::process::port_kw
// EXPECT-ERRORS: 1
#include <string>

#include "core/process/pcall.h"

namespace mptest::process {
MPTEST_KEYWORD(port, std::string);
MPTEST_KEYWORD(speed, int);
int Flash(int board, const Kwargs<Required<port_kw>, speed_kw>& kwargs) {
  return board + static_cast<int>(kwargs[kw::port].size()) + kwargs.get_or(kw::speed, 115200);
}
void Misuse() {
  (void)pcall(Flash, iargs(args(1), args(2)),
              ikwargs(kwargs(kw::port = "/dev/ttyACM0"), kwargs(kw::speed = 9600)));
}
}  // namespace mptest::process
