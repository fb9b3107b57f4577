// The virtual board's firmware image: a small text file with a header, the identity the board
// reports once it boots the image (board, variant, version, build date) and a CRC-32 over all of
// it. Written by the virtual builder, checked by the virtual board at every boot.
#ifndef MPTEST_FIRMWARE_IMAGE_H_
#define MPTEST_FIRMWARE_IMAGE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mptest::firmware {

// The first line of every image.
inline constexpr absl::string_view kImageMagic = "MPTEST-VIRTUAL-FIRMWARE 1";

struct VirtualImage {
  std::string board;    // must equal the board the image is flashed into
  std::string variant;  // "" = the default variant
  std::string version;  // as sys.version reports it after "MicroPython ", e.g. v1.29.0-virtual
  std::string date;     // build date in the banner, e.g. 2026-11-23

  // "MicroPython v1.29.0 on 2026-11-23; VIRTUAL-SPIRAM with CPython\r\nType "help()" for
  // more information.\r\n" as the board prints it at boot and on Ctrl-B.
  std::string Banner() const;
  // What the board's version probe reports once it boots this image
  // (core/repl/firmware_identity.h): the firmware version the virtual builder records.
  std::string Identity() const;
};

// The image as bytes: magic line, key=value lines, then "crc32=<8 hex digits>\n" over
// everything before it.
std::string SerializeImage(const VirtualImage& image);

// Parses and verifies image bytes. Errors (InvalidArgument / DataLoss) name `origin` and what
// is wrong: the magic, a malformed line, a missing field, a checksum mismatch.
absl::StatusOr<VirtualImage> ParseImage(absl::string_view bytes, absl::string_view origin);

// Reads and parses an image file.
absl::StatusOr<VirtualImage> ReadImageFile(const std::string& path);

// Writes an image file atomically (temporary file + rename).
absl::Status WriteImageFile(const std::string& path, const VirtualImage& image);

}  // namespace mptest::firmware

#endif  // MPTEST_FIRMWARE_IMAGE_H_
