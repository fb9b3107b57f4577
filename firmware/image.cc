// The virtual firmware image format (see image.h).
#include "firmware/image.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "core/repl/firmware_identity.h"
#include "core/report/atomic_file.h"

namespace mptest::firmware {
namespace {

uint32_t Crc32(absl::string_view data) {
  uint32_t crc = 0xffffffffu;
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

bool ValidValue(absl::string_view value) {
  for (char c : value) {
    if (c == '\n' || c == '\r' || c == '\0') return false;
  }
  return true;
}

}  // namespace

std::string VirtualImage::Banner() const {
  std::string machine = variant.empty() ? board : absl::StrCat(board, "-", variant);
  return absl::StrCat("MicroPython ", version, " on ", date, "; ", machine,
                      " with CPython\r\nType \"help()\" for more information.\r\n");
}

std::string VirtualImage::Identity() const {
  // board_driver.py: _build is the variant, sys.version "3.4.0; MicroPython <version> on <date>".
  return repl::FirmwareIdentityOfBuild(variant, "3.4.0",
                                       absl::StrCat("MicroPython ", version, " on ", date));
}

std::string SerializeImage(const VirtualImage& image) {
  std::string body = absl::StrCat(kImageMagic, "\nboard=", image.board, "\nvariant=", image.variant,
                                  "\nversion=", image.version, "\ndate=", image.date, "\n");
  return absl::StrCat(body, absl::StrFormat("crc32=%08x\n", Crc32(body)));
}

absl::StatusOr<VirtualImage> ParseImage(absl::string_view bytes, absl::string_view origin) {
  size_t crc_at = bytes.rfind("crc32=");
  if (bytes.substr(0, kImageMagic.size()) != kImageMagic) {
    return absl::InvalidArgumentError(absl::StrCat(
        origin, ": not a virtual firmware image (first line is not '", kImageMagic, "')"));
  }
  if (crc_at == absl::string_view::npos || bytes.back() != '\n') {
    return absl::DataLossError(absl::StrCat(origin, ": truncated image (no crc32 line)"));
  }
  absl::string_view body = bytes.substr(0, crc_at);
  absl::string_view crc_text = bytes.substr(crc_at + 6);
  crc_text.remove_suffix(1);
  uint32_t stored = 0;
  if (!absl::SimpleHexAtoi(crc_text, &stored) || crc_text.size() != 8) {
    return absl::DataLossError(absl::StrCat(origin, ": malformed crc32 line '", crc_text, "'"));
  }
  if (stored != Crc32(body)) {
    return absl::DataLossError(absl::StrFormat("%s: checksum mismatch (stored %08x, computed %08x)",
                                               origin, stored, Crc32(body)));
  }
  VirtualImage image;
  bool seen_board = false, seen_version = false;
  int line_number = 1;
  for (absl::string_view line : absl::StrSplit(body.substr(kImageMagic.size() + 1), '\n')) {
    ++line_number;
    if (line.empty()) continue;
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(line, absl::MaxSplits('=', 1));
    if (kv.first == "board") {
      image.board = std::string(kv.second);
      seen_board = true;
    } else if (kv.first == "variant") {
      image.variant = std::string(kv.second);
    } else if (kv.first == "version") {
      image.version = std::string(kv.second);
      seen_version = true;
    } else if (kv.first == "date") {
      image.date = std::string(kv.second);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(origin, ":", line_number, ": unknown field '", kv.first, "'"));
    }
  }
  if (!seen_board || image.board.empty() || !seen_version || image.version.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(origin, ": image lacks a non-empty board= or version= field"));
  }
  return image;
}

absl::StatusOr<VirtualImage> ReadImageFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read firmware image ", path, ": ", strerror(errno)));
  }
  std::stringstream content;
  content << in.rdbuf();
  return ParseImage(content.str(), path);
}

absl::Status WriteImageFile(const std::string& path, const VirtualImage& image) {
  for (const std::string* field : {&image.board, &image.variant, &image.version, &image.date}) {
    if (!ValidValue(*field)) {
      return absl::InvalidArgumentError("image fields must not contain newlines or NUL");
    }
  }
  return report::WriteFileAtomically(path, SerializeImage(image));
}

}  // namespace mptest::firmware
