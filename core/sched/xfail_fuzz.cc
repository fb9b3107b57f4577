// Fuzz target of the --xfail file parser (JSON from the user): never crashes, errors name the
// file, and a parsed file answers queries for any group, test, board and variant.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/sched/xfail.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string json(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<mptest::sched::Xfail> xfail = mptest::sched::Xfail::Parse(json, "xfail.json");
  if (!xfail.ok()) {
    if (xfail.status().message().find("xfail.json") == absl::string_view::npos) std::abort();
    return 0;
  }
  xfail->Expected("RUN-TESTS_STANDARD", "basics/int_big.py", "RPI_PICO", "");
  xfail->Expected("", "", "", "");
  xfail->Expected(json, json, json, json);
  return 0;
}
