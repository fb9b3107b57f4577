// The cache of plugin check verdicts, keyed by file identity (device, inode, size, modification
// time), so that a plugin is checked in a child process only when it is new or has changed.
// One text file, rewritten atomically (write + rename); a missing or unreadable cache is empty.
// Verdicts of another mptest version or ABI are discarded.
#ifndef MPTEST_CORE_PLUGIN_VERDICT_CACHE_H_
#define MPTEST_CORE_PLUGIN_VERDICT_CACHE_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/plugin/child_check.h"

namespace mptest::plugin {

// What identifies one version of a file.
struct FileIdentity {
  uint64_t device = 0;
  uint64_t inode = 0;
  int64_t size = 0;
  int64_t mtime_ns = 0;

  // stat(2) of `path` (following symlinks). Errors name the path.
  static absl::StatusOr<FileIdentity> Of(const std::string& path);
  std::string Key() const;  // "dev:ino:size:mtime"
};

class VerdictCache {
 public:
  // Reads the cache at `path` ("" = a cache that is never saved).
  static VerdictCache Load(const std::string& path);

  std::optional<CheckVerdict> Find(const std::string& plugin_path,
                                   const FileIdentity& identity) const;
  void Put(const std::string& plugin_path, const FileIdentity& identity,
           const CheckVerdict& verdict);
  // Writes the cache if it changed, creating its directory. Errors name the file.
  absl::Status Save();

 private:
  explicit VerdictCache(std::string path) : path_(std::move(path)) {}

  std::string path_;
  std::map<std::string, CheckVerdict> verdicts_;  // by "<identity key> <plugin path>"
  bool dirty_ = false;
};

}  // namespace mptest::plugin

#endif  // MPTEST_CORE_PLUGIN_VERDICT_CACHE_H_
