// The firmware cache of micropython_make; see build_cache.h.
#include "plugins/builders/micropython_make/build_cache.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/gitspec/stable_hash.h"
#include "google/protobuf/text_format.h"

namespace mptest::micropython_make {
namespace {

namespace fs = std::filesystem;

absl::Status CopyInto(const std::string& from, const fs::path& to) {
  std::error_code error;
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot copy ", from, " to ", to.string(), ": ", error.message()));
  }
  return absl::OkStatus();
}

std::string ArtifactName(const proto::Firmware& firmware) {
  return firmware.kind() == "unix" ? "micropython" : absl::StrCat("firmware.", firmware.kind());
}

// Copies the firmware's files into `dir` and rewrites its paths to point there.
absl::StatusOr<proto::Firmware> CopyFirmwareFiles(const proto::Firmware& firmware,
                                                  const fs::path& dir) {
  proto::Firmware copied = firmware;
  const fs::path artifact = dir / ArtifactName(firmware);
  if (absl::Status status = CopyInto(firmware.path(), artifact); !status.ok()) return status;
  copied.set_path(artifact.string());
  if (!firmware.mpy_cross().empty()) {
    const fs::path mpy_cross = dir / "mpy-cross";
    if (absl::Status status = CopyInto(firmware.mpy_cross(), mpy_cross); !status.ok()) {
      return status;
    }
    copied.set_mpy_cross(mpy_cross.string());
  }
  if (!firmware.build_log().empty() && fs::exists(firmware.build_log())) {
    const fs::path log = dir / "build.log";
    if (fs::absolute(log) != fs::absolute(firmware.build_log())) {
      if (absl::Status status = CopyInto(firmware.build_log(), log); !status.ok()) return status;
    }
    copied.set_build_log(log.string());
  }
  return copied;
}

}  // namespace

std::string BuildKey(const BuildKeyInputs& inputs) {
  const std::string text =
      absl::StrCat("commit=", inputs.commit, "\ndiff=", inputs.diff_hash, "\nport=", inputs.port,
                   "\nboard=", inputs.board, "\nvariant=", inputs.variant,
                   "\nargs=", absl::StrJoin(inputs.args, "\x1f"),
                   "\nprefix=", absl::StrJoin(inputs.build_prefix, "\x1f"));
  std::string name = inputs.board;
  if (!inputs.variant.empty()) absl::StrAppend(&name, "-", inputs.variant);
  return absl::StrCat(name, "-", StableHashHex(StableHash64(text)));
}

BuildCache::BuildCache(std::string cache_dir)
    : root_((fs::path(cache_dir) / "firmware").string()) {}

absl::StatusOr<std::optional<proto::Firmware>> BuildCache::Lookup(const std::string& key) const {
  const fs::path record = fs::path(root_) / key / "firmware.textproto";
  std::ifstream in(record);
  if (!in) return std::optional<proto::Firmware>();
  std::stringstream text;
  text << in.rdbuf();
  proto::Firmware firmware;
  if (!google::protobuf::TextFormat::ParseFromString(text.str(), &firmware)) {
    return absl::DataLossError(absl::StrCat(record.string(),
                                            ": not a mptest.proto.Firmware text proto; delete the "
                                            "directory to rebuild"));
  }
  if (!fs::exists(firmware.path())) return std::optional<proto::Firmware>();
  return std::optional<proto::Firmware>(firmware);
}

absl::StatusOr<proto::Firmware> BuildCache::Store(const std::string& key,
                                                  const proto::Firmware& built) const {
  const fs::path entry = fs::path(root_) / key;
  const fs::path staging = fs::path(root_) / absl::StrCat(".", key, ".tmp-", getpid());
  std::error_code error;
  fs::remove_all(staging, error);
  fs::create_directories(staging, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot create ", staging.string(), ": ", error.message()));
  }
  absl::StatusOr<proto::Firmware> copied = CopyFirmwareFiles(built, staging);
  if (!copied.ok()) return copied.status();
  // Rewrite the paths to where the entry will be after the rename.
  auto moved = [&](const std::string& path) {
    return path.empty() ? path : (entry / fs::path(path).filename()).string();
  };
  copied->set_path(moved(copied->path()));
  copied->set_mpy_cross(moved(copied->mpy_cross()));
  copied->set_build_log(moved(copied->build_log()));
  std::string text;
  google::protobuf::TextFormat::PrintToString(*copied, &text);
  {
    std::ofstream out(staging / "firmware.textproto");
    out << text;
    if (!out)
      return absl::InternalError(absl::StrCat("cannot write the record in ", staging.string()));
  }
  fs::rename(staging, entry, error);
  if (error) {
    // A stale entry (its artifact gone) or a concurrent writer of the same key: replace it.
    fs::remove_all(entry, error);
    fs::rename(staging, entry, error);
    if (error) fs::remove_all(staging, error);
  }
  return *copied;
}

absl::StatusOr<proto::Firmware> ExportFirmware(const proto::Firmware& firmware,
                                               const std::string& output_dir) {
  if (output_dir.empty()) return firmware;
  std::error_code error;
  fs::create_directories(output_dir, error);
  if (error) {
    return absl::InternalError(absl::StrCat("cannot create ", output_dir, ": ", error.message()));
  }
  return CopyFirmwareFiles(firmware, output_dir);
}

}  // namespace mptest::micropython_make
