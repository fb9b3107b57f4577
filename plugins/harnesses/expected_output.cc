// Expected test output from .exp files or CPython; see expected_output.h.
#include "plugins/harnesses/expected_output.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "core/process/subprocess.h"

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
                                 std::string python, absl::Duration timeout, std::string emit)
    : tests_dir_(std::move(tests_dir)),
      tests_(std::move(tests)),
      python_(std::move(python)),
      timeout_(timeout),
      emit_(std::move(emit)),
      results_(tests_.size()) {
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
    absl::StatusOr<std::string> expected = ExpectedOutput(tests_dir_, tests_[i], python_, timeout_, emit_);
    absl::MutexLock lock(&mutex_);
    results_[i] = std::move(expected);
  }
}

absl::StatusOr<std::string> ExpectedOutputs::Get(size_t index) {
  absl::MutexLock lock(&mutex_);
  mutex_.Await(absl::Condition(
      +[](std::optional<absl::StatusOr<std::string>>* slot) { return slot->has_value(); },
      &results_[index]));
  return *results_[index];
}

}  // namespace mptest::harnesses
