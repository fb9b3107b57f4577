// --firmware: firmware files the user names instead of builds (a release binary downloaded from
// micropython.org, a distribution's package). Each value is "BOARD=<file>",
// "BOARD-VARIANT=<file>" or one directory holding files named <BOARD>[-<VARIANT>].<ext>; the
// boards they name are then built by the prebuilt builder (core/sched/firmware_bartender.h).
#ifndef MPTEST_TOOLS_CLI_FIRMWARE_FILES_H_
#define MPTEST_TOOLS_CLI_FIRMWARE_FILES_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/proto/board.pb.h"
#include "core/sched/firmware_bartender.h"

namespace mptest::cli {

// Checks every value before anything runs and fills options->firmware_files and firmware_dir.
// `user_path` makes a path the user typed absolute. InvalidArgument, naming the value and what
// is expected, for an unknown board or variant, a file that is not a regular file, a path that
// is not a directory, or two directories.
absl::Status ParseFirmwareFlag(const std::vector<std::string>& values,
                               const std::map<std::string, proto::BoardDefinition>& boards,
                               const std::function<std::string(const std::string&)>& user_path,
                               sched::BuildOptions* options);

}  // namespace mptest::cli

#endif  // MPTEST_TOOLS_CLI_FIRMWARE_FILES_H_
