// Build planning for micropython ports; see build_plan.h.
#include "plugins/builders/micropython_make/build_plan.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace mptest::micropython_make {
namespace {

struct PortArtifact {
  const char* port;
  const char* kind;
};

// What each port's build leaves for flashing (as mpbuild's per-port table).
constexpr PortArtifact kPortArtifacts[] = {
    {"rp2", "uf2"},    {"esp32", "bin"}, {"esp8266", "bin"}, {"samd", "bin"}, {"stm32", "dfu"},
    {"mimxrt", "hex"}, {"nrf", "hex"},   {"unix", "unix"},   {"qemu", "elf"},
};

bool IsName(absl::string_view text) {
  if (text.empty()) return false;
  return std::all_of(
             text.begin(), text.end(),
             [](char c) { return absl::ascii_isalnum(c) || c == '_' || c == '-' || c == '.'; }) &&
         text[0] != '-' && text[0] != '.';
}

}  // namespace

int BoundedJobs(int requested, int cores) {
  const int limit = std::max(1, cores);
  return requested <= 0 ? limit : std::min(requested, limit);
}

absl::StatusOr<std::string> ArtifactKind(const proto::BoardDefinition& board) {
  if (!board.firmware_kind().empty()) {
    for (const char* kind : {"uf2", "bin", "dfu", "hex", "elf", "unix"}) {
      if (board.firmware_kind() == kind) return std::string(kind);
    }
    return absl::InvalidArgumentError(
        absl::StrCat("board ", board.name(), ": firmware_kind '", board.firmware_kind(),
                     "' is not one micropython_make builds (uf2, bin, dfu, hex, elf, unix)"));
  }
  for (const PortArtifact& entry : kPortArtifacts) {
    if (board.port() == entry.port) return std::string(entry.kind);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("board ", board.name(), ": port '", board.port(),
                   "' has no known artifact; set firmware_kind in its board definition"));
}

absl::StatusOr<BuildPlan> PlanBuild(const proto::BoardDefinition& board, const std::string& variant,
                                    const std::vector<std::string>& args, int jobs) {
  if (!IsName(board.port())) {
    return absl::InvalidArgumentError(
        absl::StrCat("board ", board.name(), ": port '", board.port(),
                     "' is not a port name (expected e.g. rp2, esp32, unix)"));
  }
  if (!IsName(board.name())) {
    return absl::InvalidArgumentError(
        absl::StrCat("board name '", board.name(), "' is not a micropython BOARD name"));
  }
  if (!variant.empty()) {
    if (!IsName(variant)) {
      return absl::InvalidArgumentError(
          absl::StrCat("board ", board.name(), ": variant '", variant, "' is not a name"));
    }
    if (board.variants_size() > 0 && std::find(board.variants().begin(), board.variants().end(),
                                               variant) == board.variants().end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("board ", board.name(), ": variant '", variant, "' is not in its variants"));
    }
  }
  for (const std::string& arg : args) {
    if (arg.empty() || arg[0] == '-' || arg.find('=') == std::string::npos || arg.find('=') == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("board ", board.name(), ": build argument '", arg, "' must be NAME=value"));
    }
  }
  absl::StatusOr<std::string> kind = ArtifactKind(board);
  if (!kind.ok()) return kind.status();

  BuildPlan plan;
  plan.port = board.port();
  plan.kind = *kind;
  const bool unix = board.port() == "unix";
  std::vector<std::string> selection;
  if (unix) {
    plan.build_name = variant.empty() ? "standard" : variant;
    selection.push_back("VARIANT=" + plan.build_name);
  } else {
    plan.build_name = variant.empty() ? board.name() : absl::StrCat(board.name(), "-", variant);
    selection.push_back("BOARD=" + board.name());
    if (!variant.empty()) selection.push_back("BOARD_VARIANT=" + variant);
  }
  const std::string port_dir = absl::StrCat("ports/", board.port());
  plan.build_dir = absl::StrCat(port_dir, "/build-", plan.build_name);
  plan.artifact =
      absl::StrCat(plan.build_dir, "/", unix ? "micropython" : "firmware.", unix ? "" : plan.kind);
  plan.mpversion_header = plan.build_dir + "/genhdr/mpversion.h";
  plan.mpy_cross = "mpy-cross/build/mpy-cross";

  const std::string jobs_flag = absl::StrCat("-j", jobs);
  const std::vector<std::string> prefix(board.build_prefix().begin(), board.build_prefix().end());
  plan.mpy_cross_argv = prefix;
  plan.mpy_cross_argv.insert(plan.mpy_cross_argv.end(), {"make", jobs_flag, "-C", "mpy-cross"});
  plan.submodules_argv = prefix;
  plan.submodules_argv.insert(plan.submodules_argv.end(), {"make", "-C", port_dir});
  plan.submodules_argv.insert(plan.submodules_argv.end(), selection.begin(), selection.end());
  plan.submodules_argv.push_back("submodules");
  plan.make_argv = prefix;
  plan.make_argv.insert(plan.make_argv.end(), {"make", jobs_flag, "-C", port_dir});
  plan.make_argv.insert(plan.make_argv.end(), selection.begin(), selection.end());
  plan.make_argv.insert(plan.make_argv.end(), args.begin(), args.end());
  return plan;
}

}  // namespace mptest::micropython_make
