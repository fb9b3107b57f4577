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

// mkdir -p for the directory part of `file`.
void MakeParentDirectories(const std::string& file) {
  for (size_t slash = file.find('/', 1); slash != std::string::npos;
       slash = file.find('/', slash + 1)) {
    mkdir(file.substr(0, slash).c_str(), 0755);  // errors show up when the file is written
  }
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
  MakeParentDirectories(path_);
  const std::string temporary = absl::StrCat(path_, ".tmp.", getpid());
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << Header() << "\n";
    for (const auto& [key, verdict] : verdicts_) {
      std::vector<std::string> parts = absl::StrSplit(key, absl::MaxSplits('\t', 1));
      out << parts[0] << "\t" << (verdict.ok ? "ok" : "rejected") << "\t" << absl::CEscape(parts[1])
          << "\t" << absl::CEscape(verdict.message) << "\n";
    }
    out.close();
    if (!out) {
      std::remove(temporary.c_str());
      return absl::UnavailableError(absl::StrCat(path_, ": cannot write the plugin verdict cache"));
    }
  }
  if (std::rename(temporary.c_str(), path_.c_str()) != 0) {
    const int error = errno;
    std::remove(temporary.c_str());
    return absl::UnavailableError(
        absl::StrCat(path_, ": cannot replace the plugin verdict cache: ", std::strerror(error)));
  }
  dirty_ = false;
  return absl::OkStatus();
}

}  // namespace mptest::plugin
