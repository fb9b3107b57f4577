// Expected test output from .exp files or CPython; see expected_output.h.
#include "plugins/harnesses/expected_output.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "core/process/subprocess.h"

namespace mptest::harnesses {

namespace fs = std::filesystem;

absl::StatusOr<std::string> ExpectedOutput(const std::string& tests_dir, const std::string& test,
                                           const std::string& python, absl::Duration timeout) {
  const fs::path path = fs::absolute(fs::path(tests_dir) / test);
  std::ifstream exp(path.string() + ".bytecode.exp", std::ios::binary);
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
                                 std::string python, absl::Duration timeout)
    : tests_dir_(std::move(tests_dir)),
      tests_(std::move(tests)),
      python_(std::move(python)),
      timeout_(timeout),
      results_(tests_.size()) {
  worker_ = std::thread([this] { Work(); });
}

ExpectedOutputs::~ExpectedOutputs() {
  {
    absl::MutexLock lock(&mutex_);
    stop_ = true;
  }
  worker_.join();
}

void ExpectedOutputs::Work() {
  for (size_t i = 0; i < tests_.size(); ++i) {
    {
      absl::MutexLock lock(&mutex_);
      if (stop_) return;
    }
    absl::StatusOr<std::string> expected = ExpectedOutput(tests_dir_, tests_[i], python_, timeout_);
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
