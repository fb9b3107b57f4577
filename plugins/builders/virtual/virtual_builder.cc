// The virtual builder (see virtual_builder.h).
#include "plugins/builders/virtual/virtual_builder.h"

#include <errno.h>
#include <string.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "firmware/image.h"

namespace mptest::builders {
namespace {

namespace fs = std::filesystem;

// FNV-1a, 64 bit: a stable digest of the build inputs (not a security boundary).
uint64_t Digest(absl::string_view text) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  return hash;
}

std::string Inputs(const proto::BuildRequest& request) {
  return absl::StrCat(request.source(), "\n", request.board().name(), "\n", request.variant(), "\n",
                      absl::StrJoin(request.args(), "\x1f"));
}

constexpr absl::string_view kDelayArg = "delay_s=";
constexpr double kMaxDelaySeconds = 600;

}  // namespace

absl::StatusOr<absl::Duration> VirtualBuilder::BuildDelay(const proto::BuildRequest& request) {
  absl::Duration delay = absl::ZeroDuration();
  for (const std::string& arg : request.args()) {
    if (!absl::StartsWith(arg, kDelayArg)) continue;
    double seconds = 0;
    if (!absl::SimpleAtod(absl::string_view(arg).substr(kDelayArg.size()), &seconds) ||
        !(seconds >= 0 && seconds <= kMaxDelaySeconds)) {
      return absl::InvalidArgumentError(absl::StrCat("virtual builder: build argument '", arg,
                                                     "': expected delay_s=<seconds from 0 to ",
                                                     kMaxDelaySeconds, ">"));
    }
    delay = absl::Seconds(seconds);
  }
  return delay;
}

std::string VirtualBuilder::VersionFor(const proto::BuildRequest& request) {
  return absl::StrFormat("%s-virtual-%08x", kVirtualBaseVersion,
                         static_cast<uint32_t>(Digest(Inputs(request)) >> 32));
}

absl::StatusOr<proto::Firmware> VirtualBuilder::Build(const proto::BuildRequest& request) {
  const proto::BoardDefinition& board = request.board();
  if (board.port() != "virtual") {
    return absl::InvalidArgumentError(
        absl::StrCat("virtual builder: board '", board.name(), "' has port '", board.port(),
                     "'; only boards with port \"virtual\" are built here"));
  }
  if (board.variants_size() > 0 && std::find(board.variants().begin(), board.variants().end(),
                                             request.variant()) == board.variants().end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("virtual builder: board '", board.name(), "' has no variant '",
                     request.variant(), "' (it has: ", absl::StrJoin(board.variants(), ", "), ")"));
  }
  if (request.output_dir().empty()) {
    return absl::InvalidArgumentError("virtual builder: BuildRequest.output_dir is empty");
  }
  absl::StatusOr<absl::Duration> delay = BuildDelay(request);
  if (!delay.ok()) return delay.status();
  std::error_code error;
  fs::create_directories(request.output_dir(), error);
  if (error) {
    return absl::PermissionDeniedError(absl::StrCat("virtual builder: cannot create ",
                                                    request.output_dir(), ": ", error.message()));
  }
  firmware::VirtualImage image;
  image.board = board.name();
  image.variant = request.variant();
  image.version = VersionFor(request);
  image.date = absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone());

  const std::string stem =
      request.variant().empty() ? board.name() : absl::StrCat(board.name(), "-", request.variant());
  proto::Firmware firmware;
  firmware.set_board(board.name());
  firmware.set_variant(request.variant());
  firmware.set_path(absl::StrCat(request.output_dir(), "/", stem, ".vimg"));
  firmware.set_version(image.Identity());
  firmware.set_kind("vimg");
  firmware.set_source_revision(image.version.substr(image.version.rfind('-') + 1));
  firmware.set_build_log(absl::StrCat(request.output_dir(), "/build.log"));

  std::string cached;
  if (!request.cache_dir().empty()) {
    cached = absl::StrCat(request.cache_dir(), "/virtual/", stem, "-", firmware.source_revision(),
                          ".vimg");
    if (absl::StatusOr<firmware::VirtualImage> hit = firmware::ReadImageFile(cached); hit.ok()) {
      fs::copy_file(cached, firmware.path(), fs::copy_options::overwrite_existing, error);
      if (!error) {
        firmware.set_version(hit->Identity());  // built on another day: the cached image's date
        firmware.set_from_cache(true);
        std::ofstream(firmware.build_log())
            << "virtual builder: " << firmware.path() << " taken from cache " << cached << "\n";
        return firmware;
      }
    }
  }
  // The "compilation", reported as a real build's would be: kVirtualFiles files, one by one.
  ReportStep("make", 0, kVirtualFiles, "files");
  for (int compiled = 1; compiled <= kVirtualFiles; ++compiled) {
    absl::SleepFor(*delay / kVirtualFiles);
    ReportStep("make", compiled, kVirtualFiles, "files");
  }
  if (absl::Status status = firmware::WriteImageFile(firmware.path(), image); !status.ok()) {
    return absl::Status(status.code(), absl::StrCat("virtual builder: ", status.message()));
  }
  std::ofstream log(firmware.build_log());
  log << "virtual builder: board " << board.name() << " variant '" << request.variant()
      << "' source '" << request.source() << "'\nversion " << image.version << "\nwrote "
      << firmware.path() << "\n";
  if (!cached.empty()) {
    fs::create_directories(fs::path(cached).parent_path(), error);
    if (!error) fs::copy_file(firmware.path(), cached, fs::copy_options::overwrite_existing, error);
    if (error) log << "could not store in cache " << cached << ": " << error.message() << "\n";
  }
  return firmware;
}

}  // namespace mptest::builders
