// Loading and checking the campaign's configuration: board definitions, the tentacle inventory
// and the test kinds (TestRunSpecs), all textprotos. Errors name the file, line and field.
#ifndef MPTEST_CORE_SCHED_CONFIG_H_
#define MPTEST_CORE_SCHED_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/proto/board.pb.h"
#include "core/proto/tentacle.pb.h"
#include "google/protobuf/message.h"

namespace mptest::sched {

// The test kinds file: a list of TestRunSpecs.
struct SpecList {
  std::vector<proto::TestRunSpec> specs;
};

// Everything a campaign is configured with, checked for consistency.
struct LabConfig {
  std::map<std::string, proto::BoardDefinition> boards;  // by name
  proto::Inventory inventory;
  std::vector<proto::TestRunSpec> specs;
  std::string inventory_path;
};

// The largest configuration file (board definition, inventory, test kinds, xfail) mptest reads.
inline constexpr int64_t kMaxConfigFileBytes = 4 << 20;

// A configuration file's text: a regular file (not a directory, FIFO or device), at most
// kMaxConfigFileBytes, valid UTF-8. NotFound when missing; InvalidArgument naming the file (and
// line and column of the first bad byte) otherwise.
absl::StatusOr<std::string> ReadConfigFile(const std::string& path);

// Parses `path` (read with ReadConfigFile) as a textproto of `message`'s type; every string field
// must be valid UTF-8. Errors read "<path>:<line>:<column>: <parser message>" (or name the field)
// and are InvalidArgument; a missing file is NotFound.
absl::Status LoadTextProto(const std::string& path, google::protobuf::Message* message);

// Parses textproto text; `name` stands for the file in error messages.
absl::Status ParseTextProto(const std::string& name, const std::string& text,
                            google::protobuf::Message* message);

// Loads every boards/*.textproto in `dir` (one BoardDefinition each). Duplicate names, a file
// whose name does not match the board's name, and empty ports are errors naming the file.
absl::StatusOr<std::map<std::string, proto::BoardDefinition>> LoadBoards(const std::string& dir);

// Loads a file of `spec { ... }` entries (TestRunSpecList).
absl::StatusOr<std::vector<proto::TestRunSpec>> LoadSpecs(const std::string& path);

// LoadBoards over several directories in order; a board defined again in a later directory
// replaces the earlier definition (the user's --boards extends and overrides the built-in set).
absl::StatusOr<std::map<std::string, proto::BoardDefinition>> LoadBoards(
    const std::vector<std::string>& dirs);

// Loads the three parts and runs CheckLab. `boards_dirs` as LoadBoards.
absl::StatusOr<LabConfig> LoadLab(const std::vector<std::string>& boards_dirs,
                                  const std::string& inventory, const std::string& specs);

// Semantic checks: no tentacles or no test kinds at all, unknown board, duplicate tentacle
// label, unknown variant restriction, a virtual fault out of its range, duplicate spec label, bad
// tentacle count, empty harness, non-positive timeout. Errors name the file and the offending
// entry's field.
absl::Status CheckLab(const LabConfig& lab, const std::string& specs_path);

// The variants a tentacle can run: the board's, restricted by the entry's `variants`.
std::vector<std::string> TentacleVariants(const proto::BoardDefinition& board,
                                          const proto::InventoryEntry& entry);

}  // namespace mptest::sched

#endif  // MPTEST_CORE_SCHED_CONFIG_H_
