// The one rule by which mptest decides that a board runs a given firmware: both the builders
// (from what they built) and the version probe (from what the board says) form the same string
// with FirmwareIdentity, and the two are compared for equality, nothing else.
//
// How MicroPython forms what it reports (py/modsys.c, py/mpconfig.h):
//   banner (boot, Ctrl-B)     = "MicroPython " MICROPY_GIT_TAG " on " MICROPY_BUILD_DATE "; "
//                               <board> " with " <mcu> ...
//   sys.version               = "3.4.0; MicroPython <tag> on <date>"  (v1.10 and later)
//                             = "3.4.0"                               (before v1.10)
//   sys.implementation._build = MICROPY_BOARD_BUILD_NAME: BOARD[-VARIANT], unix: VARIANT
//                               (absent before v1.22)
// The identity is the anchor's flash-skip string
//   <_build> ";" <python level> "; MicroPython <tag> on <date>" ";" <_build>
// e.g. "RPI_PICO2-RISCV;3.4.0; MicroPython v1.26.0 on 2026-11-23;RPI_PICO2-RISCV", and for old
// firmware without _build ";3.4.0; MicroPython v1.9.2-34-gd64154c73 on 2017-09-01;", where the
// release part comes from the banner because sys.version lacks it.
#ifndef MPTEST_CORE_REPL_FIRMWARE_IDENTITY_H_
#define MPTEST_CORE_REPL_FIRMWARE_IDENTITY_H_

#include <string>

#include "absl/strings/string_view.h"

namespace mptest::repl {

// "MicroPython <tag> on <date>", the release part of a banner or of sys.version; empty when
// `text` holds none. Anything after the date (the banner's "; <board> with <mcu>") is dropped.
std::string ReleaseFrom(absl::string_view text);

// The identity string compared before and after flashing (see the top of this file).
// `sys_version` is sys.version as the board prints it; when it carries no release (firmware
// before v1.10), the release is taken from `banner`.
std::string FirmwareIdentity(absl::string_view build, absl::string_view sys_version,
                             absl::string_view banner = "");

// The identity a builder records for what it built: `python_level` is "3.4.0", `release` is
// "MicroPython <tag> on <date>".
std::string FirmwareIdentityOfBuild(absl::string_view build, absl::string_view python_level,
                                    absl::string_view release);

// Where mptest keeps the identity a board reported after it was flashed with an image whose
// builder could not tell the version (Firmware.version empty: a downloaded file without a
// banner), by the image's Firmware.source_revision, so that the next build of the same image
// knows it and a board already running it is not flashed again:
// <cache_dir>/identities/<source_revision, with characters other than [A-Za-z0-9._-] as '_'>.
std::string LearnedIdentityPath(absl::string_view cache_dir, absl::string_view source_revision);

// MicroPython code printing the probe's three inputs on three lines: _build (or an empty line),
// sys.version and sys.implementation._machine (or an empty line).
inline constexpr char kIdentityProbeCode[] =
    "import sys\n"
    "print(getattr(sys.implementation, '_build', ''))\n"
    "print(sys.version)\n"
    "print(getattr(sys.implementation, '_machine', ''))\n";

}  // namespace mptest::repl

#endif  // MPTEST_CORE_REPL_FIRMWARE_IDENTITY_H_
