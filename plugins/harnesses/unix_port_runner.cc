// Tests on the unix port as run-tests.py runs them on a PC; see unix_port_runner.h.
#include "plugins/harnesses/unix_port_runner.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "core/process/subprocess.h"

namespace mptest::harnesses {
namespace {

namespace fs = std::filesystem;

// A name for the temporary .mpy that no parallel run shares; a valid module name.
std::string TemporaryModuleName() {
  static std::atomic<uint64_t> counter{0};
  return absl::StrCat("mptest_tmp_", getpid(), "_", counter.fetch_add(1));
}

}  // namespace

std::map<std::string, std::string> UnixPortEnvironment(const std::string& tests_dir) {
  const fs::path tests = fs::absolute(tests_dir).lexically_normal();
  return {{"MICROPYPATH",
           absl::StrCat(
               ".frozen:", (tests.parent_path() / "extmod").string(), ":",
               (tests.parent_path() / "lib/micropython-lib/python-stdlib/unittest").string())}};
}

RemoteOutput RunTestOnUnixPort(const UnixPortTarget& target, const std::string& test) {
  const fs::path path = fs::absolute(fs::path(target.tests_dir) / test).lexically_normal();
  process::CommandOptions command;
  command.argv = {target.micropython, "-X", absl::StrCat("emit=", target.emit)};
  command.cwd = path.parent_path().string();
  command.env_set = UnixPortEnvironment(target.tests_dir);
  command.timeout = target.test_timeout;
  RemoteOutput result;
  std::string mpy;
  if (target.via_mpy) {
    const std::string module = TemporaryModuleName();
    mpy = (path.parent_path() / (module + ".mpy")).string();
    process::CommandOptions compile;
    compile.argv = {target.mpy_cross};
    compile.argv.insert(compile.argv.end(), target.mpy_cross_flags.begin(),
                        target.mpy_cross_flags.end());
    compile.argv.insert(compile.argv.end(),
                        {"-o", mpy, "-X", absl::StrCat("emit=", target.emit), path.string()});
    compile.cwd = command.cwd;
    compile.timeout = target.test_timeout;
    absl::StatusOr<process::CommandResult> compiled = process::RunCommand(compile);
    if (!compiled.ok() || !compiled->ok()) {
      // run-tests.py's check_output raises here and the run stops; a crash names the cause.
      result.had_crash = true;
      result.output = NormalizeNewlines(absl::StrCat(
          "mpy-cross ", compiled.ok() ? compiled->Describe() : compiled.status().ToString(), ":\n",
          compiled.ok() ? compiled->output : "", "CRASH"));
      std::error_code ignored;
      fs::remove(mpy, ignored);
      return result;
    }
    command.argv.insert(command.argv.end(), {"-m", module});
  } else {
    command.argv.push_back(path.string());
  }
  absl::StatusOr<process::CommandResult> ran = process::RunCommand(command);
  if (!mpy.empty()) {
    std::error_code ignored;
    fs::remove(mpy, ignored);
  }
  if (!ran.ok()) {
    result.had_crash = true;
    result.output = absl::StrCat(ran.status().message(), "\nCRASH");
    return result;
  }
  std::string output = ran->output;
  if (ran->timed_out) {
    result.had_crash = true;
    absl::StrAppend(&output, "TIMEOUT");
  } else if (!ran->ok()) {
    result.had_crash = true;
    absl::StrAppend(&output, "CRASH");
  }
  result.output = NormalizeNewlines(output);
  return result;
}

}  // namespace mptest::harnesses
