// The firmware cache of micropython_make: one directory per build key under
// <cache_dir>/firmware/<key>/ holding the artifact, mpy-cross, the build log and the firmware
// record (firmware.textproto). Entries are written to a temporary directory and renamed into
// place, so a reader never sees half an entry and concurrent writers of one key are harmless.
#ifndef MPTEST_PLUGINS_BUILDERS_MICROPYTHON_MAKE_BUILD_CACHE_H_
#define MPTEST_PLUGINS_BUILDERS_MICROPYTHON_MAKE_BUILD_CACHE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/proto/tentacle.pb.h"

namespace mptest::micropython_make {

// What decides whether two builds give the same firmware.
struct BuildKeyInputs {
  std::string commit;     // the tree's HEAD
  std::string diff_hash;  // its uncommitted changes ("clean" when none)
  std::string port;
  std::string board;
  std::string variant;
  std::vector<std::string> args;          // extra make arguments
  std::vector<std::string> build_prefix;  // the command prefix (a container, a toolchain)
};

// A file-name-safe key: <build name>-<16 hex digits>. make -j is deliberately not part of it.
std::string BuildKey(const BuildKeyInputs& inputs);

class BuildCache {
 public:
  explicit BuildCache(std::string cache_dir);

  // The cached firmware for `key` (paths inside the cache entry), or nullopt.
  absl::StatusOr<std::optional<proto::Firmware>> Lookup(const std::string& key) const;

  // Copies built.path, built.mpy_cross (if set) and built.build_log into the entry for `key`
  // and records the firmware. Returns the record with paths inside the entry.
  absl::StatusOr<proto::Firmware> Store(const std::string& key, const proto::Firmware& built) const;

 private:
  std::string root_;  // <cache_dir>/firmware
};

// Copies the firmware's files into output_dir (firmware.<kind> / micropython, mpy-cross,
// build.log) and returns the firmware with paths there. An empty output_dir returns it as is.
absl::StatusOr<proto::Firmware> ExportFirmware(const proto::Firmware& firmware,
                                               const std::string& output_dir);

}  // namespace mptest::micropython_make

#endif  // MPTEST_PLUGINS_BUILDERS_MICROPYTHON_MAKE_BUILD_CACHE_H_
