// BoardVariantName: how mptest spells a board and its variant together ("PYBV11-THREAD", or
// "PYBV11" for the board's only variant), everywhere a build, a firmware or a call names them.
#ifndef MPTEST_CORE_PROTO_BOARD_VARIANT_H_
#define MPTEST_CORE_PROTO_BOARD_VARIANT_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace mptest {

inline std::string BoardVariantName(absl::string_view board, absl::string_view variant) {
  return variant.empty() ? std::string(board) : absl::StrCat(board, "-", variant);
}

}  // namespace mptest

#endif  // MPTEST_CORE_PROTO_BOARD_VARIANT_H_
