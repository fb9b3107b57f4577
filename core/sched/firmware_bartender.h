// FirmwareBartender: builds the firmware the matrix needs through builder plugins, each build in
// its own job (child process), up to --build_jobs at once, the reference board first, and hands
// out each firmware as soon as it is ready so that tests start before all builds end. Builds are
// cached across runs by source revision, board definition, variant, builder and its arguments.
// A failed build is reported for its board-variant only.
#ifndef MPTEST_CORE_SCHED_FIRMWARE_BARTENDER_H_
#define MPTEST_CORE_SCHED_FIRMWARE_BARTENDER_H_

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/proto/board.pb.h"
#include "core/proto/board_variant.h"
#include "core/proto/campaign.pb.h"
#include "core/sched/executor.h"
#include "core/sched/plugins.h"

namespace mptest::sched {

struct BuildOptions {
  std::string source;           // --firmware_build: directory or git spec
  std::string source_revision;  // "" = not cacheable (a moving git ref)
  std::string cache_dir;        // "" = no cross-run cache
  std::string results_dir;      // mpbuild/<BOARD-VARIANT>/ goes here
  std::string builder;          // "" = the board's (DefaultBuilderName), or prebuilt (below)
  std::vector<std::string> builder_args;
  // Firmware files the user named (--firmware): by "BOARD" or "BOARD-VARIANT", and a directory
  // holding files named <BOARD>[-<VARIANT>].<ext>. A board-variant with a file is built by the
  // "prebuilt" builder from it, whatever the board's own builder.
  std::map<std::string, std::string> firmware_files;
  std::string firmware_dir;
  int build_jobs = 2;
  int make_jobs = 0;  // BuildRequest.jobs
  absl::Duration timeout = absl::Hours(1);
};

// Revision of a firmware source for the cache key: a git work tree's commit and diff hash, a
// git spec pinned to a 40-hex commit, or a plain directory's file list (names, sizes, mtimes).
// "" when it cannot be pinned (a branch of a remote repository).
std::string SourceRevision(const std::string& source);

// The builder plugin of a board when BuildOptions.builder is "" and no firmware file is named
// for it: the board definition's `builder`, else "virtual" for port virtual, else
// micropython_make.
std::string DefaultBuilderName(const proto::BoardDefinition& board);

// The builder that takes firmware files instead of building them (plugins/builders/prebuilt).
inline constexpr char kPrebuiltBuilder[] = "prebuilt";

// The firmware file named for a board and variant in `options` (firmware_files by
// "BOARD-VARIANT", then by "BOARD", then a file <BOARD>[-<VARIANT>].<ext> in firmware_dir), or "".
std::string FirmwareFileFor(const BuildOptions& options, const std::string& board,
                            const std::string& variant);

class FirmwareBartender {
 public:
  FirmwareBartender(BuildOptions options, PluginSource& plugins);

  // What to build, in the anchor's order: reference first, then default variants of boards
  // with many variants, single-variant boards, then the other variants.
  void Plan(const std::map<std::string, proto::BoardDefinition>& boards,
            const std::map<std::string, std::vector<std::string>>& variants_by_board,
            const std::string& reference_board, const std::string& reference_variant);

  // Starts builds while fewer than build_jobs run and `free_slots` allows; cache hits finish at
  // once (returned). Returns the builds that finished without a job, and adds those whose job
  // started to `started` (board, variant, start_s) when it is not null.
  std::vector<proto::BuildRecord> StartBuilds(Executor& executor, int free_slots,
                                              std::vector<proto::BuildRecord>* started = nullptr);

  bool Owns(int job_id) const { return running_.count(job_id) > 0; }
  // A build of this board and variant runs now (its progress reports are current).
  bool Building(const std::string& board, const std::string& variant) const;
  // A build job ended: its record (firmware or error). Successful builds are stored in the cache.
  proto::BuildRecord OnDone(const JobDone& done);

  // Forgets the builds not started yet (the campaign was interrupted).
  void CancelPending() { queue_.clear(); }
  int running() const { return static_cast<int>(running_.size()); }
  bool finished() const { return queue_.empty() && running_.empty(); }
  std::vector<std::string> Planned() const;
  std::string CacheKey(const proto::BoardDefinition& board, const std::string& variant) const;

 private:
  struct Target {
    proto::BoardDefinition board;
    std::string variant;
  };
  std::optional<proto::BuildRecord> FromCache(const Target& target) const;
  void StoreInCache(const Target& target, proto::BuildRecord* record) const;
  bool Cacheable(const proto::BoardDefinition& board, const std::string& variant) const;
  std::string BuilderName(const proto::BoardDefinition& board, const std::string& variant) const;

  BuildOptions options_;
  PluginSource& plugins_;
  std::deque<Target> queue_;
  std::map<int, Target> running_;
  std::map<int, absl::Time> started_;
};

}  // namespace mptest::sched

#endif  // MPTEST_CORE_SCHED_FIRMWARE_BARTENDER_H_
