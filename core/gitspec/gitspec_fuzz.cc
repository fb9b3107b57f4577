// Fuzz target of the git spec parser: never crashes, and whatever it accepts formats back to a
// spec that parses to the same value and passes git's ref rules; slugs are file-name safe.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/gitspec/gitspec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<mptest::GitSpec> spec = mptest::ParseGitSpec(text);
  if (!spec.ok()) return 0;
  if (spec->url.empty()) std::abort();
  if (!spec->ref.empty() && !mptest::ValidateRefName(spec->ref).ok()) std::abort();
  absl::StatusOr<mptest::GitSpec> again = mptest::ParseGitSpec(mptest::FormatGitSpec(*spec));
  if (!again.ok() || !(*again == *spec)) std::abort();
  for (char c : mptest::GitSpecSlug(*spec)) {
    if (c == '/' || c == '\0' || c == ' ') std::abort();
  }
  return 0;
}
