// ResultsWriter and RebuildReports: the results directory kept readable at every moment.
#include "core/report/results_writer.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "core/report/atomic_file.h"
#include "core/report/html_report.h"
#include "core/report/json_io.h"
#include "core/report/junit.h"
#include "core/report/markdown_report.h"
#include "core/report/results_json.h"
#include "core/report/results_model.h"
#include "google/protobuf/repeated_field.h"

namespace mptest::report {
namespace {

constexpr char kContextFile[] = "context.json";
constexpr char kGroupFile[] = "context_testgroup.json";
constexpr char kMpResultsFile[] = "_results.json";
constexpr char kTestResultsTxt[] = "testresults.txt";
// How deep below the results directory attempt directories are searched.
constexpr int kMaxAttemptDepth = 3;

double NowSeconds() { return absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()); }

std::string JoinPath(absl::string_view dir, absl::string_view name) {
  return absl::StrCat(dir, "/", name);
}

absl::Status CheckRelativeDirectory(absl::string_view relative) {
  if (relative.empty() || relative.front() == '/') {
    return absl::InvalidArgumentError(absl::StrCat(
        "TestGroupResult.directory_relative must be a relative path, got \"", relative, "\""));
  }
  for (absl::string_view part : absl::StrSplit(relative, '/')) {
    if (part == ".." || part == "." || part.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("TestGroupResult.directory_relative must not contain empty, \".\" or \"..\" "
                       "parts, got \"",
                       relative, "\""));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateGroup(const proto::TestGroupResult& group) {
  absl::Status status = CheckRelativeDirectory(group.directory_relative());
  if (!status.ok()) return status;
  for (const proto::Outcome& outcome : group.outcomes()) {
    if (!IsKnownOutcome(outcome.outcome())) {
      return absl::InvalidArgumentError(
          absl::StrCat(group.directory_relative(), ": test \"", outcome.name(),
                       "\" has no outcome (", static_cast<int>(outcome.outcome()),
                       "); expected passed, failed, xfailed, skipped or errored"));
    }
  }
  return absl::OkStatus();
}

// The per-attempt verdict listing, for attempts whose harness wrote no testresults.txt.
std::string RenderTestResultsTxt(const proto::TestGroupResult& group) {
  std::string text = absl::StrCat(
      "testgroup=", group.testgroup(), "\ntestid=", group.testid(), "\nattempt=", group.attempt(),
      "\ntentacle=", group.tentacle_variant(), "\ncommandline=", group.commandline(),
      "\ntime_start=", group.time_start(), "\ntime_end=", group.time_end(), "\n");
  if (!group.msg_error().empty()) absl::StrAppend(&text, "error=", group.msg_error(), "\n");
  if (!group.msg_skipped().empty()) absl::StrAppend(&text, "skipped=", group.msg_skipped(), "\n");
  for (const proto::Outcome& outcome : group.outcomes()) {
    absl::StrAppend(&text,
                    absl::StrFormat("%-8s %s", VerdictName(outcome.outcome()), outcome.name()),
                    outcome.text().empty() ? "" : absl::StrCat("  (", outcome.text(), ")"), "\n");
  }
  return text;
}

// Groups kept ordered by directory_relative: where `key` is or would go.
template <typename Groups>
auto LowerBound(Groups& groups, const std::string& key) {
  return std::lower_bound(groups.begin(), groups.end(), key,
                          [](const proto::TestGroupResult& a, const std::string& key) {
                            return a.directory_relative() < key;
                          });
}

void InsertOrReplace(std::vector<proto::TestGroupResult>* groups, proto::TestGroupResult group) {
  auto position = LowerBound(*groups, group.directory_relative());
  if (position != groups->end() && position->directory_relative() == group.directory_relative()) {
    *position = std::move(group);
  } else {
    groups->insert(position, std::move(group));
  }
}

bool HasGroup(const std::vector<proto::TestGroupResult>& groups, const std::string& key) {
  auto position = LowerBound(groups, key);
  return position != groups.end() && position->directory_relative() == key;
}

void EraseGroup(std::vector<proto::TestGroupResult>* groups, const std::string& key) {
  auto position = LowerBound(*groups, key);
  if (position != groups->end() && position->directory_relative() == key) groups->erase(position);
}

// Finds <dir>/**/context_testgroup.json up to kMaxAttemptDepth levels down.
absl::Status FindAttemptFiles(const std::string& root, const std::string& relative, int depth,
                              std::vector<std::string>* found) {
  const std::string dir = relative.empty() ? root : JoinPath(root, relative);
  DIR* handle = opendir(dir.c_str());
  if (handle == nullptr) {
    return absl::InternalError(absl::StrCat("cannot list ", dir, ": ", std::strerror(errno)));
  }
  std::vector<std::string> subdirectories;
  while (dirent* entry = readdir(handle)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    const std::string child_relative = relative.empty() ? name : JoinPath(relative, name);
    struct stat info;
    if (lstat(JoinPath(root, child_relative).c_str(), &info) != 0) continue;
    if (S_ISDIR(info.st_mode)) {
      subdirectories.push_back(child_relative);
    } else if (S_ISREG(info.st_mode) && name == kGroupFile && !relative.empty()) {
      found->push_back(relative);
    }
  }
  closedir(handle);
  if (depth >= kMaxAttemptDepth) return absl::OkStatus();
  for (const std::string& subdirectory : subdirectories) {
    absl::Status status = FindAttemptFiles(root, subdirectory, depth + 1, found);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

// Removes "<name>.tmp-<pid>[-<n>]" files that a writer killed mid-write left in `dir`, when that
// pid is no longer running (a live one may be writing right now).
void RemoveStaleTemporaries(const std::string& dir) {
  DIR* handle = opendir(dir.c_str());
  if (handle == nullptr) return;
  std::vector<std::string> stale;
  while (dirent* entry = readdir(handle)) {
    absl::string_view name = entry->d_name;
    size_t marker = name.rfind(".tmp-");
    if (marker == absl::string_view::npos) continue;
    int64_t pid = 0;  // "<name>.tmp-<pid>" or "<name>.tmp-<pid>-<n>"
    absl::string_view owner = name.substr(marker + 5);
    owner = owner.substr(0, owner.find('-'));
    if (!absl::SimpleAtoi(owner, &pid) || pid <= 0) continue;
    if (pid > std::numeric_limits<pid_t>::max() ||
        (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)) {
      stale.emplace_back(name);
    }
  }
  closedir(handle);
  for (const std::string& name : stale) unlink(JoinPath(dir, name).c_str());
}

}  // namespace

absl::Status WriteAggregates(absl::string_view results_dir, const proto::CampaignResults& results) {
  const std::pair<const char*, std::string> files[] = {
      {"results.json", MessageToJson(results)},
      {"junit.xml", RenderJunit(results)},
      {"report.md", RenderMarkdown(results)},
      {"report.html", RenderHtml(results)},
  };
  for (const auto& [name, content] : files) {
    absl::Status status = WriteFileAtomically(JoinPath(results_dir, name), content);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

ResultsWriter::ResultsWriter(std::string results_dir, proto::CampaignContext context,
                             ResultsWriterOptions options)
    : results_dir_(std::move(results_dir)), options_(options), context_(std::move(context)) {}

absl::StatusOr<std::unique_ptr<ResultsWriter>> ResultsWriter::Create(absl::string_view results_dir,
                                                                     proto::CampaignContext context,
                                                                     ResultsWriterOptions options) {
  struct stat info;
  if (stat(std::string(results_dir).c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("results directory ", results_dir, " does not exist or is not a directory"));
  }
  if (context.start_s() <= 0) context.set_start_s(NowSeconds());
  if (context.error().empty()) context.set_error(std::string(kNeverFinished));
  std::unique_ptr<ResultsWriter> writer(
      new ResultsWriter(std::string(results_dir), std::move(context), options));
  absl::MutexLock lock(&writer->mutex_);
  absl::Status status = writer->WriteContextLocked();
  if (status.ok()) status = writer->WriteAggregatesLocked();
  if (!status.ok()) return status;
  return writer;
}

absl::Status ResultsWriter::WriteContextLocked() {
  proto::CampaignContext context = context_;
  FillTimeStrings(&context);
  return WriteFileAtomically(JoinPath(results_dir_, kContextFile), MessageToJson(context));
}

proto::CampaignResults ResultsWriter::SnapshotLocked() const {
  proto::CampaignResults results;
  *results.mutable_context() = context_;
  FillTimeStrings(results.mutable_context());
  // Both are ordered by directory_relative and disjoint: merged, the groups stay in order.
  std::merge(groups_.begin(), groups_.end(), running_.begin(), running_.end(),
             RepeatedFieldBackInserter(results.mutable_groups()),
             [](const proto::TestGroupResult& a, const proto::TestGroupResult& b) {
               return a.directory_relative() < b.directory_relative();
             });
  for (const proto::ReportSection& section : sections_) *results.add_sections() = section;
  MarkFlaky(&results);
  *results.mutable_summary() = ComputeSummary(results);
  return results;
}

proto::CampaignResults ResultsWriter::Snapshot() const {
  absl::MutexLock lock(&mutex_);
  return SnapshotLocked();
}

void ResultsWriter::DeferAggregates() {
  absl::MutexLock lock(&mutex_);
  aggregates_deferred_ = true;
}

absl::Status ResultsWriter::MaybeWriteAggregatesLocked(absl::Duration interval) {
  if (aggregates_deferred_ || absl::Now() - last_aggregate_write_ < interval) {
    return absl::OkStatus();
  }
  return WriteAggregatesLocked();
}

absl::Status ResultsWriter::WriteAggregatesLocked() {
  last_aggregate_write_ = absl::Now();
  return WriteAggregates(results_dir_, SnapshotLocked());
}

absl::Status ResultsWriter::StartGroup(const proto::TestGroupResult& group) {
  absl::Status status = ValidateGroup(group);
  if (!status.ok()) return status;
  proto::TestGroupResult started = group;
  if (started.start_s() <= 0) started.set_start_s(NowSeconds());
  if (started.msg_error().empty()) started.set_msg_error(std::string(kNeverFinished));
  FillTimeStrings(&started);
  const std::string dir = JoinPath(results_dir_, group.directory_relative());
  status = MakeDirectories(dir);
  if (!status.ok()) return status;
  return WriteFileAtomically(JoinPath(dir, kGroupFile), MessageToJson(started));
}

absl::Status ResultsWriter::AddGroup(const proto::TestGroupResult& group) {
  absl::Status status = ValidateGroup(group);
  if (!status.ok()) return status;
  proto::TestGroupResult finished = group;
  if (finished.end_s() <= 0) finished.set_end_s(NowSeconds());
  if (finished.start_s() <= 0) finished.set_start_s(finished.end_s());
  FillTimeStrings(&finished);
  const std::string dir = JoinPath(results_dir_, group.directory_relative());
  status = MakeDirectories(dir);
  if (status.ok()) status = WriteFileAtomically(JoinPath(dir, kGroupFile), MessageToJson(finished));
  const std::string listing = JoinPath(dir, kTestResultsTxt);
  struct stat info;
  if (status.ok() && stat(listing.c_str(), &info) != 0) {
    status = WriteFileAtomically(listing, RenderTestResultsTxt(finished));
  }
  absl::MutexLock lock(&mutex_);
  // The attempt happened even if its files could not be written (a full disk): the summary and
  // results.json, written once there is room again, still count it.
  EraseGroup(&running_, finished.directory_relative());
  InsertOrReplace(&groups_, std::move(finished));
  if (!status.ok()) return status;
  return MaybeWriteAggregatesLocked(options_.report_interval);
}

absl::Status ResultsWriter::UpdateRunning(const proto::TestGroupResult& group) {
  if (absl::Status status = ValidateGroup(group); !status.ok()) return status;
  proto::TestGroupResult running = group;
  running.set_running(true);
  if (running.msg_error().empty()) running.set_msg_error(std::string(kNeverFinished));
  if (running.end_s() <= 0) running.set_end_s(NowSeconds());  // so far
  FillTimeStrings(&running);
  absl::MutexLock lock(&mutex_);
  if (HasGroup(groups_, running.directory_relative())) {
    return absl::OkStatus();  // a straggler: the attempt has ended
  }
  InsertOrReplace(&running_, std::move(running));
  return MaybeWriteAggregatesLocked(std::max(options_.report_interval, options_.running_interval));
}

absl::Status ResultsWriter::AddBuild(const proto::FirmwareBuild& build) {
  absl::MutexLock lock(&mutex_);
  *context_.add_builds() = build;
  absl::Status status = WriteContextLocked();
  if (!status.ok()) return status;
  return MaybeWriteAggregatesLocked(options_.report_interval);
}

absl::Status ResultsWriter::AddTimelineEntry(const proto::TimelineEntry& entry) {
  absl::MutexLock lock(&mutex_);
  *context_.add_timeline() = entry;
  absl::Status status = WriteContextLocked();
  if (!status.ok()) return status;
  return MaybeWriteAggregatesLocked(options_.report_interval);
}

absl::Status ResultsWriter::AddSection(const proto::ReportSection& section) {
  absl::MutexLock lock(&mutex_);
  sections_.push_back(section);
  return MaybeWriteAggregatesLocked(options_.report_interval);
}

absl::Status ResultsWriter::Finish(absl::string_view error) {
  absl::MutexLock lock(&mutex_);
  context_.set_error(std::string(error));
  context_.set_end_s(NowSeconds());
  context_.clear_time_end();
  running_.clear();  // a run that never ended has its own files; the reports show those
  absl::Status status = WriteContextLocked();
  if (!status.ok()) return status;
  return WriteAggregatesLocked();
}

absl::StatusOr<proto::CampaignResults> LoadResultsDirectory(absl::string_view results_dir) {
  const std::string root(results_dir);
  proto::CampaignResults results;
  const std::string context_path = JoinPath(root, kContextFile);
  absl::StatusOr<std::string> context_json = ReadFile(context_path);
  if (!context_json.ok()) {
    return absl::NotFoundError(absl::StrCat(
        root, " is not an mptest results directory: ", context_json.status().message()));
  }
  absl::Status status = JsonToMessage(*context_json, context_path, results.mutable_context());
  if (!status.ok()) return status;

  std::vector<std::string> attempt_dirs;
  status = FindAttemptFiles(root, "", 0, &attempt_dirs);
  if (!status.ok()) return status;
  std::sort(attempt_dirs.begin(), attempt_dirs.end());
  for (const std::string& relative : attempt_dirs) {
    const std::string path = JoinPath(JoinPath(root, relative), kGroupFile);
    absl::StatusOr<std::string> json = ReadFile(path);
    if (!json.ok()) return json.status();
    proto::TestGroupResult group;
    status = JsonToMessage(*json, path, &group);
    if (!status.ok()) return status;
    group.set_directory_relative(relative);  // the directory is the truth, also after a move
    for (const proto::Outcome& outcome : group.outcomes()) {
      if (!IsKnownOutcome(outcome.outcome())) {
        return absl::InvalidArgumentError(absl::StrCat(path, ": test \"", outcome.name(),
                                                       "\" has no outcome mptest knows; "
                                                       "expected passed, failed, xfailed, "
                                                       "skipped or errored"));
      }
    }
    // An attempt killed before its end: keep its error, but show what its harness recorded.
    if (group.outcomes_size() == 0 && group.msg_error() == kNeverFinished) {
      const std::string mp_results = JoinPath(JoinPath(root, relative), kMpResultsFile);
      absl::StatusOr<std::string> mp_json = ReadFile(mp_results);
      if (mp_json.ok()) {
        absl::StatusOr<std::vector<proto::TestOutcome>> outcomes =
            ParseResultsJson(*mp_json, mp_results);
        if (!outcomes.ok()) return outcomes.status();
        for (const proto::TestOutcome& outcome : *outcomes) {
          *group.add_outcomes() = ToCoreOutcome(outcome);
        }
      }
    }
    *results.add_groups() = std::move(group);
  }
  MarkFlaky(&results);
  *results.mutable_summary() = ComputeSummary(results);
  return results;
}

absl::Status RebuildReports(absl::string_view results_dir) {
  absl::StatusOr<proto::CampaignResults> results = LoadResultsDirectory(results_dir);
  if (!results.ok()) return results.status();
  const std::string root(results_dir);
  RemoveStaleTemporaries(root);
  for (const proto::TestGroupResult& group : results->groups()) {
    RemoveStaleTemporaries(JoinPath(root, group.directory_relative()));
  }
  // Builders write their firmware through the same helper, one directory per board-variant.
  const std::string builds = JoinPath(root, "mpbuild");
  if (DIR* handle = opendir(builds.c_str())) {
    std::vector<std::string> names;
    while (dirent* entry = readdir(handle)) {
      if (entry->d_name[0] != '.') names.emplace_back(entry->d_name);
    }
    closedir(handle);
    for (const std::string& name : names) RemoveStaleTemporaries(JoinPath(builds, name));
  }
  return WriteAggregates(results_dir, *results);
}

}  // namespace mptest::report
