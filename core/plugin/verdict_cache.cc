// The plugin verdict cache: see verdict_cache.h. File format, one verdict per line:
//   mptest-plugin-verdicts abi=<N> mptest=<version>          (header)
//   <dev:ino:size:mtime> TAB ok|rejected TAB <escaped path> TAB <escaped message>
#include "core/plugin/verdict_cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/api/plugin_abi.h"
#include "core/report/atomic_file.h"
#include "core/version.h"
#include "glog/logging.h"

namespace mptest::plugin {
namespace {

std::string Header() {
  return absl::StrCat("mptest-plugin-verdicts abi=", MPTEST_PLUGIN_ABI_VERSION,
                      " mptest=", kVersion);
}

std::string MapKey(const std::string& plugin_path, const FileIdentity& identity) {
  return absl::StrCat(identity.Key(), "\t", plugin_path);
}

}  // namespace

absl::StatusOr<FileIdentity> FileIdentity::Of(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot stat: ", std::strerror(errno)));
  }
  FileIdentity identity;
  identity.device = st.st_dev;
  identity.inode = st.st_ino;
  identity.size = st.st_size;
  identity.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return identity;
}

std::string FileIdentity::Key() const {
  return absl::StrCat(device, ":", inode, ":", size, ":", mtime_ns);
}

VerdictCache VerdictCache::Load(const std::string& path) {
  VerdictCache cache(path);
  if (path.empty()) return cache;
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line) || line != Header()) return cache;  // absent or stale
  while (std::getline(in, line)) {
    std::vector<std::string> fields = absl::StrSplit(line, '\t');
    std::string plugin_path, message;
    if (fields.size() != 4 || (fields[1] != "ok" && fields[1] != "rejected") ||
        !absl::CUnescape(fields[2], &plugin_path) || !absl::CUnescape(fields[3], &message)) {
      LOG(WARNING) << path << ": ignoring a malformed plugin verdict line";
      continue;
    }
    cache.verdicts_[absl::StrCat(fields[0], "\t", plugin_path)] =
        CheckVerdict{fields[1] == "ok", message};
  }
  return cache;
}

std::optional<CheckVerdict> VerdictCache::Find(const std::string& plugin_path,
                                               const FileIdentity& identity) const {
  auto found = verdicts_.find(MapKey(plugin_path, identity));
  if (found == verdicts_.end()) return std::nullopt;
  return found->second;
}

void VerdictCache::Put(const std::string& plugin_path, const FileIdentity& identity,
                       const CheckVerdict& verdict) {
  verdicts_[MapKey(plugin_path, identity)] = verdict;
  dirty_ = true;
}

absl::Status VerdictCache::Save() {
  if (path_.empty() || !dirty_) return absl::OkStatus();
  std::string content = absl::StrCat(Header(), "\n");
  for (const auto& [key, verdict] : verdicts_) {
    std::vector<std::string> parts = absl::StrSplit(key, absl::MaxSplits('\t', 1));
    absl::StrAppend(&content, parts[0], "\t", verdict.ok ? "ok" : "rejected", "\t",
                    absl::CEscape(parts[1]), "\t", absl::CEscape(verdict.message), "\n");
  }
  const size_t slash = path_.rfind('/');
  absl::Status status = slash == std::string::npos
                            ? absl::OkStatus()
                            : report::MakeDirectories(path_.substr(0, slash));
  if (status.ok()) status = report::WriteFileAtomically(path_, content);
  if (!status.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot save the plugin verdict cache: ", status.message()));
  }
  dirty_ = false;
  return absl::OkStatus();
}

}  // namespace mptest::plugin
