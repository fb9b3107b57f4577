// The prebuilt builder (see prebuilt_builder.h).
#include "plugins/builders/prebuilt/prebuilt_builder.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/gitspec/stable_hash.h"
#include "core/repl/firmware_identity.h"
#include "core/report/atomic_file.h"

namespace mptest::builders {
namespace {

constexpr absl::string_view kFirmwareArg = "firmware=";
constexpr absl::string_view kPythonLevel = "3.4.0";  // sys.version's level in every release
constexpr uint32_t kUf2MagicStart0 = 0x0A324655;     // "UF2\n"
constexpr uint32_t kUf2MagicStart1 = 0x9E5D5157;
constexpr size_t kUf2BlockBytes = 512;

uint32_t LittleEndian32(absl::string_view bytes, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(bytes[at])) |
         static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + 2])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + 3])) << 24;
}

bool IsUf2(absl::string_view file) {
  return file.size() >= kUf2BlockBytes && file.size() % kUf2BlockBytes == 0 &&
         LittleEndian32(file, 0) == kUf2MagicStart0 && LittleEndian32(file, 4) == kUf2MagicStart1;
}

bool IsIntelHex(absl::string_view file) {
  return absl::StartsWith(absl::StripLeadingAsciiWhitespace(file), ":");
}

absl::StatusOr<std::string> DecodeIntelHex(absl::string_view file) {
  std::string image;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(file, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    if (line[0] != ':' || line.size() % 2 != 1 || line.size() < 11 ||
        !std::all_of(line.begin() + 1, line.end(), absl::ascii_isxdigit)) {
      return absl::DataLossError(
          absl::StrCat("line ", line_number, ": expected an Intel HEX record ':LLAAAATT...CC'"));
    }
    const std::string record = absl::HexStringToBytes(line.substr(1));
    const size_t length = static_cast<unsigned char>(record[0]);
    if (record.size() != length + 5) {
      return absl::DataLossError(absl::StrCat("line ", line_number, ": the record says ", length,
                                              " data bytes but holds ", record.size() - 5));
    }
    unsigned char sum = 0;
    for (char c : record) sum += static_cast<unsigned char>(c);
    if (sum != 0) {
      return absl::DataLossError(absl::StrCat("line ", line_number, ": checksum mismatch"));
    }
    if (record[3] == 0x00) image.append(record, 4, length);  // a data record
    if (record[3] == 0x01) break;                            // end of file
  }
  return image;
}

std::string DecodeUf2(absl::string_view file) {
  std::string image;
  for (size_t block = 0; block + kUf2BlockBytes <= file.size(); block += kUf2BlockBytes) {
    const uint32_t payload = LittleEndian32(file, block + 16);
    image.append(file.data() + block + 32, std::min<uint32_t>(payload, 476));
  }
  return image;
}

// The file the request names: --firmware's, else the board's last "firmware=" build argument.
std::string FirmwareFileOf(const proto::BuildRequest& request) {
  if (!request.firmware_file().empty()) return request.firmware_file();
  std::string file;
  for (const std::string& arg : request.args()) {
    if (absl::StartsWith(arg, kFirmwareArg)) file = arg.substr(kFirmwareArg.size());
  }
  return file;
}

// The release recorded for a file's content (whose hash is `content_hash`), cached under
// <cache_dir>/prebuilt/.
absl::StatusOr<std::string> ReleaseOfFile(const std::string& content,
                                          const std::string& content_hash,
                                          const std::string& cache_dir, bool* from_cache) {
  std::string entry;
  if (!cache_dir.empty()) {
    entry = absl::StrCat(cache_dir, "/prebuilt/", content_hash, ".release");
    if (absl::StatusOr<std::string> cached = report::ReadFile(entry); cached.ok()) {
      *from_cache = true;
      return std::string(absl::StripTrailingAsciiWhitespace(*cached));
    }
  }
  absl::StatusOr<std::string> image = ImageBytes(content);
  if (!image.ok()) return image.status();
  std::string release = ReleaseInImage(*image);
  if (!entry.empty() && report::MakeDirectories(cache_dir + "/prebuilt").ok()) {
    (void)report::WriteFileAtomically(entry, release + "\n");  // a cache: losing it costs a scan
  }
  return release;
}

}  // namespace

absl::StatusOr<std::string> ImageBytes(absl::string_view file_content) {
  if (IsUf2(file_content)) return DecodeUf2(file_content);
  if (IsIntelHex(file_content)) return DecodeIntelHex(file_content);
  return std::string(file_content);
}

std::string ReleaseInImage(absl::string_view image) {
  constexpr absl::string_view kBannerStart = "MicroPython v";
  for (size_t at = image.find(kBannerStart); at != absl::string_view::npos;
       at = image.find(kBannerStart, at + 1)) {
    absl::string_view text = image.substr(at, 200);
    text = text.substr(0, text.find('\0'));
    if (!absl::StrContains(text, " on ")) continue;  // an error message, not the banner
    std::string release = repl::ReleaseFrom(text);
    if (!release.empty()) return release;
  }
  return "";
}

std::string IdentityOfRelease(absl::string_view release, absl::string_view board,
                              absl::string_view port, absl::string_view variant) {
  // "MicroPython v<major>.<minor>..." : _build exists from v1.22 on.
  int major = 0;
  int minor = 0;
  std::vector<absl::string_view> parts = absl::StrSplit(
      absl::string_view(release).substr(std::min(release.size(), sizeof("MicroPython v") - 1)),
      absl::MaxSplits(absl::ByAnyChar(".- "), 2));
  bool has_build = parts.size() >= 2 && absl::SimpleAtoi(parts[0], &major) &&
                   absl::SimpleAtoi(parts[1], &minor) && (major > 1 || minor >= 22);
  std::string build;
  if (has_build) {
    build = port == "unix"    ? std::string(variant)
            : variant.empty() ? std::string(board)
                              : absl::StrCat(board, "-", variant);
  }
  return repl::FirmwareIdentityOfBuild(build, kPythonLevel, release);
}

absl::StatusOr<proto::Firmware> PrebuiltBuilder::Build(const proto::BuildRequest& request) {
  const proto::BoardDefinition& board = request.board();
  const std::string name =
      request.variant().empty() ? board.name() : absl::StrCat(board.name(), "-", request.variant());
  const std::string file = FirmwareFileOf(request);
  if (file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "prebuilt builder: no firmware file for ", name, ": name one with --firmware=", name,
        "=<file> (or --firmware=<directory> holding ", name,
        ".<ext>), or give the board the build argument \"firmware=<file>\""));
  }
  struct stat info;
  if (stat(file.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat("prebuilt builder: firmware file for ", name,
                                                   ": ", file, " is not a regular file"));
  }
  if (static_cast<size_t>(info.st_size) > kMaxFirmwareFileBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("prebuilt builder: firmware file for ", name, ": ", file, " holds ",
                     info.st_size, " bytes; at most ", kMaxFirmwareFileBytes, " are taken"));
  }
  absl::StatusOr<std::string> content = report::ReadFile(file);
  if (!content.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("prebuilt builder: firmware file for ", name,
                                                   ": ", content.status().message()));
  }
  bool from_cache = false;
  const std::string content_hash = StableHashHex(StableHash64(*content));  // hashed once
  absl::StatusOr<std::string> release =
      ReleaseOfFile(*content, content_hash, request.cache_dir(), &from_cache);
  if (!release.ok()) {
    return absl::DataLossError(
        absl::StrCat("prebuilt builder: firmware file ", file, ": ", release.status().message()));
  }
  if (request.output_dir().empty()) {
    return absl::InvalidArgumentError("prebuilt builder: BuildRequest.output_dir is empty");
  }
  if (absl::Status status = report::MakeDirectories(request.output_dir()); !status.ok()) {
    return absl::Status(status.code(), absl::StrCat("prebuilt builder: ", status.message()));
  }
  const std::string extension = std::filesystem::path(file).extension().string();
  proto::Firmware firmware;
  firmware.set_board(board.name());
  firmware.set_variant(request.variant());
  firmware.set_path(absl::StrCat(request.output_dir(), "/", name, extension));
  firmware.set_kind(!board.firmware_kind().empty() ? board.firmware_kind()
                                                   : extension.substr(extension.empty() ? 0 : 1));
  firmware.set_source_revision(absl::StrCat("file:", content_hash));
  firmware.set_build_log(absl::StrCat(request.output_dir(), "/build.log"));
  firmware.set_from_cache(from_cache);
  bool learned = false;
  if (!release->empty()) {
    firmware.set_version(
        IdentityOfRelease(*release, board.name(), board.port(), request.variant()));
  } else if (!request.cache_dir().empty()) {  // what a board said after an earlier flash of it
    absl::StatusOr<std::string> identity = report::ReadFile(
        repl::LearnedIdentityPath(request.cache_dir(), firmware.source_revision()));
    if (identity.ok()) {
      firmware.set_version(std::string(absl::StripTrailingAsciiWhitespace(*identity)));
      learned = true;
    }
  }
  if (absl::Status status = report::WriteFileAtomically(firmware.path(), *content); !status.ok()) {
    return absl::Status(status.code(), absl::StrCat("prebuilt builder: ", status.message()));
  }
  const std::string log = absl::StrCat(
      "prebuilt builder: ", name, " from ", file, " (", content->size(), " bytes, ",
      firmware.source_revision(), ")\n",
      release->empty()
          ? (learned ? absl::StrCat("no MicroPython banner in the image; version: ",
                                    firmware.version(), " (what a board said after flashing it)\n")
                     : std::string("no MicroPython banner in the image: the version is taken "
                                   "from the board after flashing\n"))
          : absl::StrCat("release: ", *release, "\nversion: ", firmware.version(),
                         from_cache ? " (cached)\n" : "\n"));
  (void)report::WriteFileAtomically(firmware.build_log(), log);
  return firmware;
}

}  // namespace mptest::builders
