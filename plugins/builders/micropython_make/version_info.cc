// Firmware version strings from mpversion.h; see version_info.h.
#include "plugins/builders/micropython_make/version_info.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/repl/firmware_identity.h"

namespace mptest::micropython_make {
namespace {

// The string literal of `#define <name> "<value>"` in `text`, if present.
bool FindStringDefine(absl::string_view text, absl::string_view name, std::string* value) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (!absl::ConsumePrefix(&line, "#define")) continue;
    line = absl::StripLeadingAsciiWhitespace(line);
    if (!absl::ConsumePrefix(&line, name)) continue;
    if (line.empty() || !absl::ascii_isspace(line[0])) continue;  // a longer name
    line = absl::StripAsciiWhitespace(line);
    if (line.size() < 2 || line.front() != '"' || line.back() != '"') return false;
    *value = std::string(line.substr(1, line.size() - 2));
    return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<MpversionHeader> ParseMpversionHeader(absl::string_view text,
                                                     absl::string_view path) {
  MpversionHeader header;
  for (auto [name, field] :
       {std::pair<const char*, std::string*>{"MICROPY_GIT_TAG", &header.git_tag},
        {"MICROPY_BUILD_DATE", &header.build_date}}) {
    if (!FindStringDefine(text, name, field) || field->empty()) {
      return absl::DataLossError(absl::StrCat(path, ": no `#define ", name,
                                              " \"...\"` (expected the mpversion.h that "
                                              "py/makeversionhdr.py generates)"));
    }
  }
  FindStringDefine(text, "MICROPY_GIT_HASH", &header.git_hash);
  return header;
}

std::string PythonLevelFromModsys(absl::string_view modsys_c) {
  const size_t object = modsys_c.find("mp_sys_version_obj,");
  if (object != absl::string_view::npos) {
    const size_t quote = modsys_c.find('"', object);
    const size_t end = modsys_c.find("; ", quote);
    if (quote != absl::string_view::npos && end != absl::string_view::npos && end > quote + 1 &&
        end - quote < 16) {
      return std::string(modsys_c.substr(quote + 1, end - quote - 1));
    }
  }
  return "3.4.0";
}

std::string BannerNameAndVersion(const MpversionHeader& header) {
  return absl::StrCat("MicroPython ", header.git_tag, " on ", header.build_date);
}

std::string ReportedVersion(absl::string_view build_name, absl::string_view python_level,
                            const MpversionHeader& header) {
  return repl::FirmwareIdentityOfBuild(build_name, python_level, BannerNameAndVersion(header));
}

}  // namespace mptest::micropython_make
