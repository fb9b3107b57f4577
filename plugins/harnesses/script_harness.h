// ScriptHarness: the harnesses that run one of MicroPython's own test runners from the tests
// directory and read the verdicts from the _results.json it writes (never from its exit status
// alone): run_tests (run-tests.py), run_multitests (run-multitests.py, two tentacles as
// instance0 and instance1), run_perfbench (run-perfbench.py N M) and run_natmodtests
// (run-natmodtests.py). The runner's output goes to <result_dir>/testresults.txt, the command
// line and environment to <result_dir>/command.txt; failed tests' .exp/.out stay in result_dir.
#ifndef MPTEST_PLUGINS_HARNESSES_SCRIPT_HARNESS_H_
#define MPTEST_PLUGINS_HARNESSES_SCRIPT_HARNESS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/api/harness.h"
#include "core/proto/tentacle.pb.h"

namespace mptest::harnesses {

enum class RunnerKind { kRunTests, kRunMultitests, kRunPerfbench, kRunNatmodtests };

// "run_tests", "run_multitests", "run_perfbench", "run_natmodtests": the plugin names.
const char* RunnerPluginName(RunnerKind kind);
// "run-tests.py", ...: the script in the tests directory.
const char* RunnerScript(RunnerKind kind);

struct ScriptHarnessOptions {
  // Debian's python3 has python3-serial, which run-tests.py needs for port: targets.
  std::string python = "/usr/bin/python3";
  std::string default_test_timeout_s = "60";  // MICROPY_TEST_TIMEOUT unless the spec sets it
};

// How run-tests.py reaches a tentacle, as a maintainer runs it by hand on the same firmware:
//  - a board whose port is "unix": "unix", run-tests.py's own unix target with
//    MICROPY_MICROPYTHON set to the tentacle's binary (each test a process of its own, in the
//    test's directory, as `make -C ports/unix test` runs it);
//  - an execpty tentacle whose command announces its pty (tags.console "announced": qemu):
//    "execpty:<command>", with {firmware} replaced by the image the tentacle runs
//    (FlashedImage): run-tests.py starts the emulator itself, as by hand, while the tentacle's
//    own emulator, which nobody then has open, stays paused by its relay. Through the relay's
//    console instead, every test's exchanges cross one more pty: 1.47x by hand's time on
//    MPS2_AN385, against 0.97x this way (bench/README.md);
//  - every other board: "port:<console>", the tentacle's own console (serial and virtual
//    boards, execpty tentacles whose command is the console).
// The tag test_instance chooses explicitly: "port", "unix" or "execpty".
std::string TestInstance(const proto::Tentacle& tentacle, const proto::Firmware& firmware);

// The image a tentacle runs (the unix port's binary, a qemu board's kernel): the file its driver
// flashed (Tentacle.runtime "firmware") when it exists, else tags.firmware, else the firmware's
// path (empty under --flash_skip).
std::string FlashedImage(const proto::Tentacle& tentacle, const proto::Firmware& firmware);

struct RunnerCommand {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;
  std::string cwd;
};

// The command for a request, without running anything. Arguments of the spec that contain
// '*', '?' or '[' are glob patterns expanded in the tests directory (sorted); an argument
// "!<pattern>" or "--exclude=<pattern>" removes the matching files expanded so far (the anchor's
// "multi_bluetooth/*.py minus stress_deepsleep_reconnect.py").
absl::StatusOr<RunnerCommand> PlanRunnerCommand(RunnerKind kind,
                                                const proto::HarnessRequest& request,
                                                const ScriptHarnessOptions& options);

// One line of run-tests.py's or run-natmodtests.py's output as it runs, when it gives a test's
// verdict: "pass  NAME ...", "FAIL  NAME ...", "skip  NAME", "lrge  NAME" (skipped as too large),
// or run-natmodtests.py's "SKIP", "LRGE" and "TRUTH FAIL", as a TestOutcome in _results.json's
// words (pass, fail, skip); nothing for any other line.
std::optional<proto::TestOutcome> ParseRunTestsVerdictLine(absl::string_view line);

class ScriptHarness : public Harness {
 public:
  explicit ScriptHarness(RunnerKind kind, ScriptHarnessOptions options = {});
  absl::StatusOr<proto::HarnessResult> Run(const proto::HarnessRequest& request) override;

 private:
  RunnerKind kind_;
  ScriptHarnessOptions options_;
};

}  // namespace mptest::harnesses

#endif  // MPTEST_PLUGINS_HARNESSES_SCRIPT_HARNESS_H_
