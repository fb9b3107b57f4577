// The version string a MicroPython firmware reports, computed from its build's generated
// genhdr/mpversion.h (py/makeversionhdr.py) and py/modsys.c.
//
// The version a builder records is the firmware identity of core/repl/firmware_identity.h, the
// one string the version probe forms from what the board reports.
#ifndef MPTEST_PLUGINS_BUILDERS_MICROPYTHON_MAKE_VERSION_INFO_H_
#define MPTEST_PLUGINS_BUILDERS_MICROPYTHON_MAKE_VERSION_INFO_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mptest::micropython_make {

struct MpversionHeader {
  std::string git_tag;     // MICROPY_GIT_TAG, e.g. v1.26.0-preview.12.gabcdef123
  std::string git_hash;    // MICROPY_GIT_HASH (may be empty)
  std::string build_date;  // MICROPY_BUILD_DATE, e.g. 2026-11-23
};

// Parses the #defines of a generated mpversion.h. `path` only names the file in errors.
// MICROPY_GIT_TAG and MICROPY_BUILD_DATE are required.
absl::StatusOr<MpversionHeader> ParseMpversionHeader(absl::string_view text,
                                                     absl::string_view path);

// The Python language level in py/modsys.c's sys.version ("3.4.0"); "3.4.0" when the file
// does not say (it has been 3.4.0 in every MicroPython release so far).
std::string PythonLevelFromModsys(absl::string_view modsys_c);

// "MicroPython <tag> on <date>": the banner's start and sys.version's tail.
std::string BannerNameAndVersion(const MpversionHeader& header);

// The identity of the build: "<build_name>;<python_level>; MicroPython <tag> on
// <date>;<build_name>".
std::string ReportedVersion(absl::string_view build_name, absl::string_view python_level,
                            const MpversionHeader& header);

}  // namespace mptest::micropython_make

#endif  // MPTEST_PLUGINS_BUILDERS_MICROPYTHON_MAKE_VERSION_INFO_H_
