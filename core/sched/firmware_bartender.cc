// FirmwareBartender: parallel, cached firmware builds (see firmware_bartender.h).
#include "core/sched/firmware_bartender.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "core/bus/event_sender.h"
#include "core/gitspec/git_checkout.h"
#include "core/gitspec/gitspec.h"
#include "core/gitspec/stable_hash.h"
#include "core/report/atomic_file.h"
#include "core/sched/config.h"
#include "core/sched/record_io.h"
#include "glog/logging.h"
#include "google/protobuf/text_format.h"

namespace mptest::sched {
namespace {

double Seconds(absl::Time time) { return absl::ToDoubleSeconds(time - absl::UnixEpoch()); }

bool IsHexCommit(const std::string& ref) {
  return ref.size() == 40 && std::all_of(ref.begin(), ref.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// Hashes the names, sizes and mtimes of every file under dir (skipping .git and build dirs).
void HashTree(const std::string& dir, uint64_t* hash, int depth) {
  if (depth > 12) return;
  DIR* handle = opendir(dir.c_str());
  if (handle == nullptr) return;
  std::vector<std::string> names;
  while (dirent* entry = readdir(handle)) {
    std::string name = entry->d_name;
    if (name == "." || name == ".." || name == ".git" || name.rfind("build", 0) == 0) continue;
    names.push_back(name);
  }
  closedir(handle);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    std::string path = absl::StrCat(dir, "/", name);
    struct stat info;
    if (lstat(path.c_str(), &info) != 0) continue;
    *hash = StableHashUpdate(*hash, absl::StrCat(path, ":", info.st_size, ":", info.st_mtime, ";"));
    if (S_ISDIR(info.st_mode)) HashTree(path, hash, depth + 1);
  }
}

}  // namespace

std::string SourceRevision(const std::string& source) {
  absl::StatusOr<GitSpec> spec = ParseGitSpec(source);
  if (spec.ok() && !spec->local_directory) {
    return spec->pr.empty() && IsHexCommit(spec->ref) ? absl::StrCat("git:", spec->ref) : "";
  }
  absl::StatusOr<WorkTreeState> state = GetWorkTreeState(source);
  if (state.ok() && !state->commit.empty()) {
    return absl::StrCat("git:", state->commit, "+", state->diff_hash);
  }
  uint64_t hash = kStableHashSeed;
  HashTree(source, &hash, 0);
  return absl::StrCat("tree:", StableHashHex(hash));
}

FirmwareBartender::FirmwareBartender(BuildOptions options, PluginSource& plugins)
    : options_(std::move(options)), plugins_(plugins) {}

void FirmwareBartender::Plan(
    const std::map<std::string, proto::BoardDefinition>& boards,
    const std::map<std::string, std::vector<std::string>>& variants_by_board,
    const std::string& reference_board, const std::string& reference_variant) {
  std::vector<std::tuple<int, int, std::string, std::string>> order;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& [board, variants] : variants_by_board) {
    for (int i = 0; i < static_cast<int>(variants.size()); ++i) {
      bool is_reference = board == reference_board && variants[i] == reference_variant;
      int first = is_reference ? -1000 : i;
      order.emplace_back(first, -static_cast<int>(variants.size()), board, variants[i]);
      seen.insert({board, variants[i]});
    }
  }
  if (!reference_board.empty() && !seen.count({reference_board, reference_variant})) {
    order.emplace_back(-1000, 0, reference_board, reference_variant);
  }
  std::sort(order.begin(), order.end());
  for (const auto& [unused1, unused2, board, variant] : order) {
    queue_.push_back(Target{boards.at(board), variant});
  }
}

std::vector<std::string> FirmwareBartender::Planned() const {
  std::vector<std::string> names;
  for (const Target& target : queue_) {
    names.push_back(BoardVariantName(target.board.name(), target.variant));
  }
  return names;
}

std::string FirmwareBartender::BuilderName(const proto::BoardDefinition& board,
                                           const std::string& variant) const {
  if (!options_.builder.empty()) return options_.builder;
  if (!FirmwareFileFor(options_, board.name(), variant).empty()) return kPrebuiltBuilder;
  return DefaultBuilderName(board);
}

std::string DefaultBuilderName(const proto::BoardDefinition& board) {
  if (!board.builder().empty()) return board.builder();
  return board.port() == "virtual" ? "virtual" : "micropython_make";
}

std::string FirmwareFileFor(const BuildOptions& options, const std::string& board,
                            const std::string& variant) {
  const std::string name = BoardVariantName(board, variant);
  for (const std::string& key : {name, board}) {
    if (auto it = options.firmware_files.find(key); it != options.firmware_files.end()) {
      return it->second;
    }
  }
  if (options.firmware_dir.empty()) return "";
  std::error_code error;
  std::vector<std::string> matches;
  for (const auto& entry : std::filesystem::directory_iterator(options.firmware_dir, error)) {
    const std::string stem = entry.path().stem().string();
    if (entry.is_regular_file(error) && (stem == name || (variant.empty() && stem == board))) {
      matches.push_back(entry.path().string());
    }
  }
  std::sort(matches.begin(), matches.end());  // the same file on every run
  return matches.empty() ? "" : matches.front();
}

std::string FirmwareBartender::CacheKey(const proto::BoardDefinition& board,
                                        const std::string& variant) const {
  std::string board_text;
  google::protobuf::TextFormat::PrintToString(board, &board_text);
  uint64_t hash = StableHash64(options_.source_revision);
  hash = StableHashUpdate(
      hash, absl::StrCat("\n", board_text, "\n", variant, "\n", BuilderName(board, variant), "\n"));

  for (const std::string& arg : options_.builder_args) hash = StableHashUpdate(hash, arg + "\n");
  return StableHashHex(hash);
}

bool FirmwareBartender::Cacheable(const proto::BoardDefinition& board,
                                  const std::string& variant) const {
  // Firmware files are not built: the prebuilt builder reads them (and caches what it learns by
  // their content) on every campaign, so a changed file is never hidden by this cache.
  return !options_.cache_dir.empty() && !options_.source_revision.empty() &&
         BuilderName(board, variant) != kPrebuiltBuilder;
}

std::optional<proto::BuildRecord> FirmwareBartender::FromCache(const Target& target) const {
  if (!Cacheable(target.board, target.variant)) return std::nullopt;
  std::string entry = absl::StrCat(options_.cache_dir, "/firmware/",
                                   CacheKey(target.board, target.variant), "/firmware.textproto");
  std::ifstream in(entry);
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  proto::Firmware firmware;
  if (!google::protobuf::TextFormat::ParseFromString(text, &firmware)) return std::nullopt;
  struct stat info;
  if (stat(firmware.path().c_str(), &info) != 0) return std::nullopt;  // image gone: rebuild
  proto::BuildRecord record;
  record.set_board(target.board.name());
  record.set_variant(target.variant);
  firmware.set_from_cache(true);
  *record.mutable_firmware() = firmware;
  record.set_from_cache(true);
  record.set_cache_key(CacheKey(target.board, target.variant));
  return record;
}

void FirmwareBartender::StoreInCache(const Target& target, proto::BuildRecord* record) const {
  if (!Cacheable(target.board, target.variant)) return;
  std::string dir = absl::StrCat(options_.cache_dir, "/firmware/", record->cache_key());
  if (!MakeDirs(dir).ok()) return;
  proto::Firmware firmware = record->firmware();
  std::string image = firmware.path();
  std::string cached_image = absl::StrCat(dir, "/", image.substr(image.rfind('/') + 1));
  if (!report::CopyFileAtomically(image, cached_image).ok()) {
    LOG(WARNING) << "build cache: cannot copy " << image << " to " << cached_image;
    return;
  }
  firmware.set_path(cached_image);
  if (!firmware.mpy_cross().empty()) {  // --via-mpy runs need the build's own mpy-cross
    const std::string cached_mpy_cross = absl::StrCat(dir, "/mpy-cross");
    if (report::CopyFileAtomically(firmware.mpy_cross(), cached_mpy_cross).ok()) {
      firmware.set_mpy_cross(cached_mpy_cross);
    }
  }
  std::string text;
  google::protobuf::TextFormat::PrintToString(firmware, &text);
  if (absl::Status status = report::WriteFileAtomically(dir + "/firmware.textproto", text);
      !status.ok()) {
    LOG(WARNING) << "build cache: " << status;
  }
}

std::vector<proto::BuildRecord> FirmwareBartender::StartBuilds(
    Executor& executor, int free_slots, std::vector<proto::BuildRecord>* started) {
  std::vector<proto::BuildRecord> immediate;
  while (!queue_.empty()) {
    if (std::optional<proto::BuildRecord> cached = FromCache(queue_.front())) {
      cached->set_start_s(Seconds(executor.Now()));
      cached->set_end_s(Seconds(executor.Now()));
      immediate.push_back(*std::move(cached));
      queue_.pop_front();
      continue;
    }
    if (running() >= options_.build_jobs || free_slots <= 0) break;
    Target target = queue_.front();
    queue_.pop_front();
    --free_slots;
    std::string name = BoardVariantName(target.board.name(), target.variant);
    proto::BuildRequest request;
    request.set_source(options_.source);
    *request.mutable_board() = target.board;
    request.set_variant(target.variant);
    for (const std::string& arg : options_.builder_args) request.add_args(arg);
    for (const std::string& arg : target.board.build_args()) request.add_args(arg);
    request.set_output_dir(absl::StrCat(options_.results_dir, "/mpbuild/", name));
    if (!options_.cache_dir.empty()) request.set_cache_dir(options_.cache_dir);
    request.set_jobs(options_.make_jobs);
    request.set_firmware_file(FirmwareFileFor(options_, target.board.name(), target.variant));
    std::string builder_name = BuilderName(target.board, target.variant);
    JobSpec job;
    job.name = absl::StrCat("build ", name);
    job.deadline = options_.timeout;
    job.work = [this, request, builder_name]() {
      proto::BuildRecord record;
      record.set_board(request.board().name());
      record.set_variant(request.variant());
      absl::Status status = MakeDirs(request.output_dir());
      absl::StatusOr<Builder*> builder = plugins_.GetBuilder(builder_name);
      if (status.ok() && !builder.ok()) status = builder.status();
      if (status.ok()) {
        // What the builder reports goes to the campaign over the bus as it happens (the
        // console's build lane). Outside a supervised job nobody listens.
        (*builder)->SetProgressReporter([&request](const proto::BuildProgress& progress) {
          proto::Event event;
          event.mutable_build()->set_board(request.board().name());
          event.mutable_build()->set_variant(request.variant());
          *event.mutable_build()->mutable_progress() = progress;
          bus::SendEvent(std::move(event)).IgnoreError();
        });
        absl::StatusOr<proto::Firmware> firmware = (*builder)->Build(request);
        (*builder)->SetProgressReporter(nullptr);
        if (firmware.ok()) {
          *record.mutable_firmware() = *firmware;
          // Seed 004's "firmware ready", on the bus as soon as the image exists.
          proto::Event ready;
          ready.mutable_firmware_ready()->set_board(request.board().name());
          ready.mutable_firmware_ready()->set_variant(request.variant());
          ready.mutable_firmware_ready()->set_path(firmware->path());
          ready.mutable_firmware_ready()->set_version(firmware->version());
          bus::SendEvent(std::move(ready)).IgnoreError();  // nobody listens outside a job
        } else {
          status = firmware.status();
        }
      }
      if (!status.ok()) record.set_error(std::string(status.message()));
      return record.SerializeAsString();
    };
    int id = executor.Start(std::move(job));
    running_[id] = target;
    started_[id] = executor.Now();
    if (started != nullptr) {
      proto::BuildRecord& record = started->emplace_back();
      record.set_board(target.board.name());
      record.set_variant(target.variant);
      record.set_start_s(Seconds(started_[id]));
      record.set_cache_key(CacheKey(target.board, target.variant));
    }
  }
  return immediate;
}

bool FirmwareBartender::Building(const std::string& board, const std::string& variant) const {
  return std::any_of(running_.begin(), running_.end(), [&](const auto& entry) {
    return entry.second.board.name() == board && entry.second.variant == variant;
  });
}

proto::BuildRecord FirmwareBartender::OnDone(const JobDone& done) {
  Target target = running_.at(done.id);
  running_.erase(done.id);
  started_.erase(done.id);
  proto::BuildRecord record;
  if (done.status != JobDone::Status::kOk || !record.ParseFromString(done.payload)) {
    record.set_board(target.board.name());
    record.set_variant(target.variant);
    record.set_error(done.detail.empty() ? "the build job sent no result" : done.detail);
  }
  record.set_start_s(Seconds(done.start));
  record.set_end_s(Seconds(done.end));
  record.set_cache_key(CacheKey(target.board, target.variant));
  if (record.error().empty() && record.firmware().path().empty()) {
    record.set_error(absl::StrCat("the builder returned no firmware image for ",
                                  BoardVariantName(target.board.name(), target.variant)));
  }
  if (record.error().empty()) StoreInCache(target, &record);
  return record;
}

}  // namespace mptest::sched
