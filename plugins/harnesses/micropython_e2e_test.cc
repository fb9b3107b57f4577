// Optional end-to-end test on real MicroPython: builds the unix port (or, with
// MPTEST_MICROPYTHON_PORT=qemu, the qemu port's MPS2_AN385 board) of the checkout named by
// MPTEST_MICROPYTHON_DIR with the micropython_make builder, runs it as an execpty tentacle (the
// unix port, or qemu-system-arm with its serial on a pty, under the execpty relay), runs
// tests/basics/ on that one board with the run_tests harness (run-tests.py
// --test-instance=port:<the relay's pty>) and with the native harness, checks that both give the
// same verdict for every test, and prints the counts and wall times of both. Tagged manual (not
// part of `bazel test //...`); without MPTEST_MICROPYTHON_DIR it FAILS, saying why (see
// plugins/harnesses/README.md):
//   bazel test //plugins/harnesses:micropython_e2e_test --test_output=all
//       --test_env=MPTEST_MICROPYTHON_DIR=/path/to/micropython
//       --test_env=MPTEST_MICROPYTHON_BUILD_ARGS="MICROPY_PY_BTREE=0 MICROPY_PY_SSL=0 ..."
// Nothing is fetched: the checkout needs the unix port's submodules, or
// MPTEST_MICROPYTHON_BUILD_ARGS naming make arguments that do without them (e.g.
// "MICROPY_PY_BTREE=0 MICROPY_PY_SSL=0 MICROPY_SSL_MBEDTLS=0 MICROPY_PY_FFI=0"), and
// lib/micropython-lib for unittest (the qemu port freezes it). The build writes into the
// checkout (ports/unix/build-standard or ports/qemu/build-MPS2_AN385, mpy-cross/build), as
// `make` there would; the qemu port needs gcc-arm-none-eabi, libnewlib-arm-none-eabi and
// qemu-system-arm on the host.
#include <stdlib.h>

#include <filesystem>
#include <iostream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "core/gitspec/test_repo.h"
#include "gtest/gtest.h"
#include "plugins/boards/execpty/execpty_driver.h"
#include "plugins/builders/micropython_make/micropython_make_builder.h"
#include "plugins/harnesses/native_harness.h"
#include "plugins/harnesses/script_harness.h"

namespace mptest::harnesses {
namespace {

namespace fs = std::filesystem;
using ::mptest::testing::NewTempDir;

std::map<std::string, std::string> VerdictMap(const proto::HarnessResult& result) {
  std::map<std::string, std::string> verdicts;
  for (const proto::TestOutcome& test : result.outcomes()) {
    // run-tests.py's "ignored" (a known-flaky test) is reported as a skip, as the anchor does.
    verdicts[test.name()] = test.outcome() == "ignored" ? "skip" : test.outcome();
  }
  return verdicts;
}

// Result directories are kept in the test's undeclared outputs (test.outputs/outputs.zip).
std::string OutputDir(const std::string& name) {
  const char* outputs = getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  if (outputs == nullptr) return NewTempDir(name);
  const std::string dir = absl::StrCat(outputs, "/", name);
  fs::create_directories(dir);
  return dir;
}

std::string Summary(const proto::HarnessResult& result) {
  std::map<std::string, int> counts;
  for (const proto::TestOutcome& test : result.outcomes()) ++counts[test.outcome()];
  std::string text = absl::StrCat(result.outcomes_size(), " tests:");
  for (const auto& [outcome, count] : counts) absl::StrAppend(&text, " ", count, " ", outcome);
  return text;
}

// Fails the test for every test whose verdicts differ; prints the count.
void CompareVerdicts(const proto::HarnessResult& script, const proto::HarnessResult& native) {
  const std::map<std::string, std::string> expected = VerdictMap(script);
  const std::map<std::string, std::string> actual = VerdictMap(native);
  int disagreements = 0;
  for (const auto& [test, verdict] : expected) {
    auto it = actual.find(test);
    const std::string native_verdict = it == actual.end() ? "(not run)" : it->second;
    if (native_verdict != verdict) {
      ++disagreements;
      ADD_FAILURE() << test << ": run-tests.py says " << verdict << ", native says "
                    << native_verdict;
    }
  }
  for (const auto& [test, verdict] : actual) {
    if (expected.count(test) == 0) {
      ++disagreements;
      ADD_FAILURE() << test << ": native ran it (" << verdict << "), run-tests.py did not";
    }
  }
  std::cout << "verdicts compared: " << expected.size() << ", disagreements: " << disagreements
            << std::endl;
}

TEST(MicropythonEndToEndTest, BasicsAgreeBetweenRunTestsAndNativeOnOneBoard) {
  const char* dir = getenv("MPTEST_MICROPYTHON_DIR");
  if (dir == nullptr || *dir == '\0') {
    FAIL() << "MPTEST_MICROPYTHON_DIR is not set, so there is no MicroPython checkout to "
              "build and test: run with --test_env=MPTEST_MICROPYTHON_DIR=/path/to/micropython "
              "(a checkout with the unix port's submodules, or with "
              "--test_env=MPTEST_MICROPYTHON_BUILD_ARGS naming make arguments that do without "
              "them); see plugins/harnesses/README.md";
  }
  const std::string repo = fs::absolute(dir).string();
  ASSERT_TRUE(fs::exists(repo + "/tests/run-tests.py")) << repo << " is not a micropython checkout";

  // MPTEST_MICROPYTHON_PORT: "unix" (default) or "qemu" (board MPS2_AN385 under
  // qemu-system-arm, its serial on the pty qemu announces).
  const char* port_env = getenv("MPTEST_MICROPYTHON_PORT");
  const std::string port = port_env != nullptr && *port_env != '\0' ? port_env : "unix";
  ASSERT_TRUE(port == "unix" || port == "qemu")
      << "MPTEST_MICROPYTHON_PORT must be unix or qemu, not " << port;
  const std::string board = port == "qemu" ? "MPS2_AN385" : "UNIX";

  // Build.
  micropython_make::MicropythonMakeBuilder builder;
  proto::BuildRequest build;
  build.set_source(repo);
  build.mutable_board()->set_name(board);
  build.mutable_board()->set_port(port);
  build.set_output_dir(NewTempDir("firmware"));
  build.set_cache_dir(NewTempDir("cache"));
  if (const char* args = getenv("MPTEST_MICROPYTHON_BUILD_ARGS"); args != nullptr) {
    for (absl::string_view arg : absl::StrSplit(args, ' ', absl::SkipEmpty())) {
      build.add_args(std::string(arg));
    }
  }
  const absl::Time build_start = absl::Now();
  absl::StatusOr<proto::Firmware> firmware = builder.Build(build);
  ASSERT_TRUE(firmware.ok()) << firmware.status();
  std::cout << "build: " << firmware->version() << " in "
            << absl::FormatDuration(absl::Now() - build_start) << " -> " << firmware->path()
            << std::endl;

  // The firmware as an execpty tentacle, reached through the driver's relay.
  boards::ExecPtyDriver driver(
      absl::StrCat(getenv("TEST_SRCDIR"), "/mptest/plugins/boards/execpty/execpty_relay"));
  proto::DiscoverRequest discover;
  discover.set_state_dir(NewTempDir("state"));
  discover.add_boards()->set_name(board);
  proto::InventoryEntry* entry = discover.mutable_inventory()->add_tentacles();
  entry->set_label(port);
  entry->set_type("execpty");
  entry->set_board(board);
  std::vector<std::string> command;
  if (port == "qemu") {
    command = {"qemu-system-arm", "-machine", "mps2-an385", "-nographic", "-monitor",  "null",
               "-semihosting",    "-serial",  "pty",        "-kernel",    "{firmware}"};
    (*entry->mutable_tags())["console"] = "announced";
  } else {
    // The unix port needs micropython-lib's unittest on its path: env sets MICROPYPATH.
    command = {
        "/usr/bin/env",
        absl::StrCat("MICROPYPATH=.frozen:", repo, "/lib/micropython-lib/python-stdlib/unittest"),
        "{firmware}"};
  }
  for (const std::string& arg : command) entry->add_command(arg);
  (*entry->mutable_tags())["firmware"] = firmware->path();
  // Both harnesses reach the same board: run-tests.py as port:<the relay's pty>, a bare-metal
  // target for it (no __file__, a soft reset before each test), as native does.
  (*entry->mutable_tags())["test_instance"] = "port";
  absl::StatusOr<proto::DiscoverResponse> discovered = driver.Discover(discover);
  ASSERT_TRUE(discovered.ok()) << discovered.status();
  absl::StatusOr<proto::Tentacle> tentacle = driver.Start(discovered->tentacles(0));
  ASSERT_TRUE(tentacle.ok()) << tentacle.status();
  struct Stopper {
    boards::ExecPtyDriver& driver;
    proto::Tentacle tentacle;
    ~Stopper() { driver.Stop(tentacle).IgnoreError(); }
  } stopper{driver, *tentacle};

  proto::HarnessRequest request;
  request.mutable_spec()->set_label("RUN-TESTS_STANDARD");
  // MPTEST_MICROPYTHON_TESTS: the test selection (default "-d basics").
  const char* selection = getenv("MPTEST_MICROPYTHON_TESTS");
  for (absl::string_view arg :
       absl::StrSplit(selection != nullptr && *selection != '\0' ? selection : "-d basics", ' ',
                      absl::SkipEmpty())) {
    request.mutable_spec()->add_args(std::string(arg));
  }
  *request.add_tentacles() = *tentacle;
  *request.mutable_firmware() = *firmware;
  request.set_tests_dir(repo + "/tests");
  request.set_timeout_s(1800);

  request.set_result_dir(OutputDir("run_tests"));
  const absl::Time script_start = absl::Now();
  absl::StatusOr<proto::HarnessResult> script = ScriptHarness(RunnerKind::kRunTests).Run(request);
  const absl::Duration script_time = absl::Now() - script_start;
  ASSERT_TRUE(script.ok()) << script.status();

  request.set_result_dir(OutputDir("native"));
  const absl::Time native_start = absl::Now();
  absl::StatusOr<proto::HarnessResult> native = NativeHarness().Run(request);
  const absl::Duration native_time = absl::Now() - native_start;
  ASSERT_TRUE(native.ok()) << native.status();

  std::cout << "board: " << port << " port (" << absl::StrJoin(command, " ")
            << ") under the execpty relay, " << tentacle->console()
            << "\nrun_tests (run-tests.py port:): " << Summary(*script) << " in "
            << absl::FormatDuration(script_time)
            << "\nnative:                         " << Summary(*native) << " in "
            << absl::FormatDuration(native_time) << "\nnative / run_tests wall time: "
            << absl::ToDoubleSeconds(native_time) / absl::ToDoubleSeconds(script_time) << std::endl;
  CompareVerdicts(*script, *native);
}

}  // namespace
}  // namespace mptest::harnesses
