// The "prebuilt" builder: firmware that is not built but taken from a file the user has (a
// release binary downloaded from micropython.org, a distribution's package such as Debian's
// firmware-microbit-micropython). The file comes from BuildRequest.firmware_file (--firmware)
// or, failing that, the board's build argument "firmware=<file>". Its version is read from the
// image itself: MicroPython keeps its banner ("MicroPython <tag> on <date>") as one string, found
// in raw images (.bin, .elf, .dfu) and in decoded Intel HEX and UF2 files. What was read is
// cached by the file's content hash under <cache_dir>/prebuilt/.
#ifndef MPTEST_PLUGINS_BUILDERS_PREBUILT_PREBUILT_BUILDER_H_
#define MPTEST_PLUGINS_BUILDERS_PREBUILT_PREBUILT_BUILDER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/api/builder.h"

namespace mptest::builders {

// Largest firmware file taken (the biggest MicroPython images are a few MB).
inline constexpr size_t kMaxFirmwareFileBytes = 64 << 20;

// The bytes a firmware file puts in flash: Intel HEX data records and UF2 payloads decoded, in
// file order; any other file as it is. DataLoss naming the line or block when a HEX or UF2 file
// is malformed.
absl::StatusOr<std::string> ImageBytes(absl::string_view file_content);

// "MicroPython <tag> on <date>" as the image's banner string holds it, or "" when none is there.
std::string ReleaseInImage(absl::string_view image);

// The identity (core/repl/firmware_identity.h) a board running the image reports. Firmware of
// v1.22 and later reports sys.implementation._build, which is BOARD[-VARIANT] (unix: VARIANT).
std::string IdentityOfRelease(absl::string_view release, absl::string_view board,
                              absl::string_view port, absl::string_view variant);

class PrebuiltBuilder : public Builder {
 public:
  // Copies the firmware file to <output_dir>/<BOARD>[-<VARIANT>].<ext> and records its version.
  // Errors: InvalidArgument when no file is named or the file is not a readable regular file
  // under kMaxFirmwareFileBytes (the message says how to name one); DataLoss for a malformed
  // HEX/UF2 file. A file with no banner builds with the version a board reported after an
  // earlier flash of it (repl::LearnedIdentityPath), else with an empty version: the board's
  // answer after flashing is then taken, and kept for the next build.
  absl::StatusOr<proto::Firmware> Build(const proto::BuildRequest& request) override;
};

}  // namespace mptest::builders

#endif  // MPTEST_PLUGINS_BUILDERS_PREBUILT_PREBUILT_BUILDER_H_
