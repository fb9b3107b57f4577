// --firmware parsing (see firmware_files.h).
#include "tools/cli/firmware_files.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace mptest::cli {
namespace {

// The board (and variant) a key "BOARD" or "BOARD-VARIANT" names, or an error naming the boards.
absl::Status CheckBoardKey(const std::string& value, const std::string& key,
                           const std::map<std::string, proto::BoardDefinition>& boards) {
  if (boards.count(key)) return absl::OkStatus();
  for (const auto& [name, board] : boards) {
    if (key.rfind(name + "-", 0) != 0) continue;
    const std::string variant = key.substr(name.size() + 1);
    if (std::find(board.variants().begin(), board.variants().end(), variant) !=
        board.variants().end()) {
      return absl::OkStatus();
    }
  }
  std::vector<std::string> names;
  for (const auto& [name, board] : boards) names.push_back(name);
  return absl::InvalidArgumentError(
      absl::StrCat("--firmware: '", value, "': no board or board-variant '", key,
                   "' (expected BOARD=<file> or BOARD-VARIANT=<file>; the boards are ",
                   absl::StrJoin(names, ", "), ")"));
}

}  // namespace

absl::Status ParseFirmwareFlag(const std::vector<std::string>& values,
                               const std::map<std::string, proto::BoardDefinition>& boards,
                               const std::function<std::string(const std::string&)>& user_path,
                               sched::BuildOptions* options) {
  for (const std::string& value : values) {
    const size_t equals = value.find('=');
    const std::string path =
        user_path(equals == std::string::npos ? value : value.substr(equals + 1));
    struct stat info;
    const bool exists = stat(path.c_str(), &info) == 0;
    if (equals == std::string::npos) {
      if (!exists || !S_ISDIR(info.st_mode)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--firmware: '", value, "': ", exists ? "not a directory" : strerror(errno),
            " (expected BOARD=<file> or a directory of <BOARD>[-<VARIANT>].<ext> files)"));
      }
      if (!options->firmware_dir.empty()) {
        return absl::InvalidArgumentError(absl::StrCat("--firmware: '", value,
                                                       "': a second directory (the first is ",
                                                       options->firmware_dir, ")"));
      }
      options->firmware_dir = path;
      continue;
    }
    const std::string key = value.substr(0, equals);
    if (absl::Status status = CheckBoardKey(value, key, boards); !status.ok()) return status;
    if (!exists || !S_ISREG(info.st_mode)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--firmware: '", value, "': ", path, ": ",
                       exists ? "not a regular file" : strerror(errno)));
    }
    options->firmware_files[key] = path;
  }
  return absl::OkStatus();
}

}  // namespace mptest::cli
