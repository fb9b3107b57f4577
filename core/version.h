// The version of mptest, printed by `mptest --version` and recorded in results.
#ifndef MPTEST_CORE_VERSION_H_
#define MPTEST_CORE_VERSION_H_

namespace mptest {

inline constexpr char kVersion[] = "0.1.0";

}  // namespace mptest

#endif  // MPTEST_CORE_VERSION_H_
