// The positive control: correct uses of every form the other cases misuse compile cleanly.
// EXPECT-COMPILES
#include <string>

#include "core/process/pcall.h"

namespace mptest::process {
MPTEST_KEYWORD(x, int);
MPTEST_KEYWORD(y, int);
MPTEST_KEYWORD(port, std::string);
MPTEST_KEYWORD(speed, int);

int Add(int x, int y) { return x + y; }
double Add(double x, double y) { return x + y; }
int AddKw(const Kwargs<x_kw, y_kw>& kwargs) { return kwargs[kw::x] + kwargs[kw::y]; }
int Flash(int board, const Kwargs<Required<port_kw>, speed_kw>& kwargs) {
  return board + static_cast<int>(kwargs[kw::port].size()) + kwargs.get_or(kw::speed, 115200);
}
size_t Length(int board, const std::string& name) { return name.size() + board; }

void Uses() {
  int x = 0;  // a local named like a keyword does not get in the way of kw::x
  (void)x;
  (void)pcall(AddKw, kw::x = Each{1, 2, 3}, kw::y = Each{4, 5, 6});
  (void)pcall(AddKw, kw::x = 1, kw::y = Each{4, 5, 6});
  (void)pcall(static_cast<int (*)(int, int)>(Add), iargs(args(1, 2), args(3, 4)));
  (void)pcall(ByName<static_cast<int (*)(int, int)>(Add), x_kw, y_kw>, kw::x = Each{1, 2},
              kw::y = 10);
  (void)pcall(Flash, iargs(args(1), args(2)), kw::port = "/dev/ttyACM0",
              ikwargs(kwargs(kw::speed = 9600), kwargs()));
  (void)pcall(Length, cargs(1), iargs(args("a"), args("bc")));
  Pcall p(AddKw, ckwargs(kw::x = 1), kw::y = Each{4, 5});
}
}  // namespace mptest::process
