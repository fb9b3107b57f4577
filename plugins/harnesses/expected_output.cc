// Expected test output from .exp files or CPython; see expected_output.h.
#include "plugins/harnesses/expected_output.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "core/gitspec/stable_hash.h"
#include "core/process/subprocess.h"
#include "core/report/atomic_file.h"

namespace mptest::harnesses {

namespace fs = std::filesystem;

absl::StatusOr<std::string> ExpectedOutput(const std::string& tests_dir, const std::string& test,
                                           const std::string& python, absl::Duration timeout,
                                           const std::string& emit) {
  const fs::path path = fs::absolute(fs::path(tests_dir) / test);
  std::ifstream exp(absl::StrCat(path.string(), ".", emit, ".exp"), std::ios::binary);
  if (!exp) exp.open(path.string() + ".exp", std::ios::binary);
  if (exp) {
    std::stringstream text;
    text << exp.rdbuf();
    return absl::StrReplaceAll(text.str(), {{"\r\n", "\n"}});
  }
  process::CommandOptions command;
  command.argv = {python, "-BS", path.string()};
  command.cwd = path.parent_path().string();
  command.env_set = {{"PYTHONIOENCODING", "utf-8"}};
  command.timeout = timeout;
  absl::StatusOr<process::CommandResult> result = process::RunCommand(command);
  if (!result.ok()) return result.status();
  if (!result->ok()) return absl::StrCat("CPYTHON3 CRASH:\n", result->output);
  return absl::StrReplaceAll(result->output, {{"\r\n", "\n"}});
}

ExpectedOutputs::ExpectedOutputs(std::string tests_dir, std::vector<std::string> tests,
                                 std::string python, absl::Duration timeout, std::string emit,
                                 std::string cache_dir)
    : tests_dir_(std::move(tests_dir)),
      tests_(std::move(tests)),
      python_(std::move(python)),
      timeout_(timeout),
      emit_(std::move(emit)),
      cache_dir_(std::move(cache_dir)),
      results_(tests_.size()) {
  if (!cache_dir_.empty()) {
    process::CommandOptions version;
    version.argv = {python_, "--version"};
    version.timeout = absl::Seconds(30);
    absl::StatusOr<process::CommandResult> result = process::RunCommand(version);
    if (result.ok() && result->ok()) {
      python_identity_ = absl::StrCat(python_, " ", result->output);
    } else {
      cache_dir_.clear();  // an unknown CPython: nothing to key the cache on
    }
  }
  // One CPython per core (up to 4): on a fast board the expectations are the slower side.
  const size_t workers = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 4);
  for (size_t i = 0; i < workers; ++i) workers_.emplace_back([this] { Work(); });
}

ExpectedOutputs::~ExpectedOutputs() {
  {
    absl::MutexLock lock(&mutex_);
    stop_ = true;
  }
  for (std::thread& worker : workers_) worker.join();
}

void ExpectedOutputs::Work() {
  for (;;) {
    size_t i;
    {
      absl::MutexLock lock(&mutex_);
      if (stop_ || next_ >= tests_.size()) return;
      i = next_++;
    }
    absl::StatusOr<std::string> expected = Compute(tests_[i]);
    absl::MutexLock lock(&mutex_);
    results_[i] = std::move(expected);
  }
}

std::string ExpectedOutputs::CachePath(const std::string& test) {
  if (cache_dir_.empty()) return "";
  const fs::path path = fs::absolute(fs::path(tests_dir_) / test);
  std::error_code error;
  for (const std::string& exp :
       {absl::StrCat(path.string(), ".", emit_, ".exp"), absl::StrCat(path.string(), ".exp")}) {
    if (fs::exists(exp, error)) return "";  // read from the tree each time: nothing to save
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::stringstream content;
  content << in.rdbuf();
  const std::string dir = path.parent_path().string();
  std::string state;
  {
    absl::MutexLock lock(&directories_mutex_);
    auto known = directory_states_.find(dir);
    if (known == directory_states_.end()) {
      // Tests may read the files beside them: any change there is another key.
      uint64_t hash = kStableHashSeed;
      std::vector<std::string> entries;
      for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
        std::error_code stat_error;
        entries.push_back(
            absl::StrCat(entry.path().filename().string(), ":", entry.file_size(stat_error), ":",
                         entry.last_write_time(stat_error).time_since_epoch().count()));
      }
      std::sort(entries.begin(), entries.end());
      for (const std::string& line : entries) hash = StableHashUpdate(hash, line + "\n");
      known = directory_states_.emplace(dir, StableHashHex(hash)).first;
    }
    state = known->second;
  }
  const uint64_t key =
      StableHash64(absl::StrCat(python_identity_, "\n", test, "\n", state, "\n", content.str()));
  return (fs::path(cache_dir_) / "expected" / (StableHashHex(key) + ".out")).string();
}

absl::StatusOr<std::string> ExpectedOutputs::Compute(const std::string& test) {
  const std::string cached = CachePath(test);
  if (!cached.empty()) {
    std::ifstream in(cached, std::ios::binary);
    if (in) {
      std::stringstream text;
      text << in.rdbuf();
      return text.str();
    }
  }
  absl::StatusOr<std::string> expected = ExpectedOutput(tests_dir_, test, python_, timeout_, emit_);
  if (!cached.empty() && expected.ok() && !absl::StartsWith(*expected, "CPYTHON3 CRASH")) {
    // Atomically, so that a parallel run reads a whole file or none. Only a cache: an error
    // costs the next run a CPython run.
    if (report::MakeDirectories(fs::path(cached).parent_path().string()).ok()) {
      (void)report::WriteFileAtomically(cached, *expected);
    }
  }
  return expected;
}

absl::StatusOr<std::string> ExpectedOutputs::Get(size_t index) {
  absl::MutexLock lock(&mutex_);
  mutex_.Await(absl::Condition(
      +[](std::optional<absl::StatusOr<std::string>>* slot) { return slot->has_value(); },
      &results_[index]));
  return *results_[index];
}

}  // namespace mptest::harnesses
