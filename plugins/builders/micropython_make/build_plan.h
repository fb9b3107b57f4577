// Planning a micropython make build: which commands to run, where the build directory is and
// which artifact to take, per port. Pure (no I/O), so that it is easy to test and to reuse.
#ifndef MPTEST_PLUGINS_BUILDERS_MICROPYTHON_MAKE_BUILD_PLAN_H_
#define MPTEST_PLUGINS_BUILDERS_MICROPYTHON_MAKE_BUILD_PLAN_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/proto/board.pb.h"

namespace mptest::micropython_make {

struct BuildPlan {
  std::string port;
  // MicroPython's build name, which the firmware reports as sys.implementation._build:
  // BOARD or BOARD-VARIANT; for the unix port the VARIANT (default "standard").
  std::string build_name;
  std::string build_dir;         // relative to the tree: ports/<port>/build-<...>
  std::string artifact;          // relative to the tree
  std::string kind;              // uf2, bin, dfu, hex, elf, unix
  std::string mpversion_header;  // relative to the tree: <build_dir>/genhdr/mpversion.h
  std::string mpy_cross;         // relative to the tree: mpy-cross/build/mpy-cross
  // Commands, each an argv run in the tree's root (the board's build_prefix in front).
  std::vector<std::string> mpy_cross_argv;
  std::vector<std::string> submodules_argv;
  std::vector<std::string> make_argv;
};

// make -j: the request's jobs (0 = no limit) bounded by the machine's cores, at least 1.
int BoundedJobs(int requested, int cores);

// Plans the build of `board` (its port, name and build_prefix) in `variant` with extra make
// arguments `args` (each NAME=value; anything starting with '-' is refused so that an argument
// can never redirect make elsewhere). Errors name the board and the field.
absl::StatusOr<BuildPlan> PlanBuild(const proto::BoardDefinition& board, const std::string& variant,
                                    const std::vector<std::string>& args, int jobs);

// The artifact's file kind for a port (rp2 uf2, esp32/esp8266/samd bin, stm32 dfu, mimxrt and
// nrf hex, unix unix, qemu elf); board.firmware_kind, when set, overrides it.
absl::StatusOr<std::string> ArtifactKind(const proto::BoardDefinition& board);

}  // namespace mptest::micropython_make

#endif  // MPTEST_PLUGINS_BUILDERS_MICROPYTHON_MAKE_BUILD_PLAN_H_
