// The firmware identity rule (see firmware_identity.h).
#include "core/repl/firmware_identity.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace mptest::repl {
namespace {

constexpr absl::string_view kName = "MicroPython ";

}  // namespace

std::string ReleaseFrom(absl::string_view text) {
  const size_t start = text.find(kName);
  if (start == absl::string_view::npos) return "";
  absl::string_view release = text.substr(start);
  // The release ends at the banner's "; <board>" or at the end of its line.
  release = release.substr(0, release.find_first_of(";\r\n"));
  return std::string(absl::StripTrailingAsciiWhitespace(release));
}

std::string FirmwareIdentityOfBuild(absl::string_view build, absl::string_view python_level,
                                    absl::string_view release) {
  return absl::StrCat(build, ";", python_level, "; ", release, ";", build);
}

std::string FirmwareIdentity(absl::string_view build, absl::string_view sys_version,
                             absl::string_view banner) {
  sys_version = absl::StripAsciiWhitespace(sys_version);
  const size_t at = sys_version.find(kName);
  if (at != absl::string_view::npos) return absl::StrCat(build, ";", sys_version, ";", build);
  return FirmwareIdentityOfBuild(build, sys_version, ReleaseFrom(banner));
}

std::string LearnedIdentityPath(absl::string_view cache_dir, absl::string_view source_revision) {
  std::string name(source_revision);
  for (char& c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      c = '_';
    }
  }
  return absl::StrCat(cache_dir, "/identities/", name);
}

}  // namespace mptest::repl
