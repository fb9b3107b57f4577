// A hash that is the same in every process and on every run (FNV-1a, 64 bits), for cache keys
// and directory names. Not for security.
#ifndef MPTEST_CORE_GITSPEC_STABLE_HASH_H_
#define MPTEST_CORE_GITSPEC_STABLE_HASH_H_

#include <cstdint>
#include <string>

#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace mptest {

// Feeds `text` into a running FNV-1a state; start from kStableHashSeed.
inline constexpr uint64_t kStableHashSeed = 0xcbf29ce484222325ULL;
inline uint64_t StableHashUpdate(uint64_t hash, absl::string_view text) {
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

inline uint64_t StableHash64(absl::string_view text) {
  return StableHashUpdate(kStableHashSeed, text);
}

// 16 lower-case hex digits.
inline std::string StableHashHex(uint64_t hash) { return absl::StrFormat("%016x", hash); }

}  // namespace mptest

#endif  // MPTEST_CORE_GITSPEC_STABLE_HASH_H_
