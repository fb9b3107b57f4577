// mptest: runs MicroPython's test suites on many boards at once. This is the command line entry:
// commands test (default), list-tests, list-tentacles, flash, report, plugins.
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "core/bus/event_bus.h"
#include "core/gitspec/file_lock.h"
#include "core/gitspec/git_checkout.h"
#include "core/gitspec/gitspec.h"
#include "core/install/installed_root.h"
#include "core/log/child_log.h"
#include "core/plugin/flags.h"
#include "core/plugin/plugins_command.h"
#include "core/report/atomic_file.h"
#include "core/report/reporter_server.h"
#include "core/report/results_writer.h"
#include "core/sched/campaign.h"
#include "core/sched/config.h"
#include "core/sched/descriptor_reserve.h"
#include "core/sched/process_executor.h"
#include "core/sched/record_io.h"
#include "core/sched/slurm_config.h"
#include "core/sched/slurm_executor.h"
#include "core/version.h"
#include "firmware/launcher.h"
#include "glog/logging.h"
#include "tools/cli/cli_plugins.h"
#include "tools/cli/firmware_files.h"
#include "tools/cli/leftovers.h"
#include "tools/cli/listing.h"
#include "tools/cli/plugin_call.h"
#include "tools/cli/results_dir.h"
#include "tools/cli/selection.h"
#include "tools/cli/sinks.h"
#include "tools/cli/slurm.h"
#include "tools/cli/usb_watchdog.h"

ABSL_FLAG(std::vector<std::string>, only_board, {},
          "BOARD, BOARD-VARIANT or BOARD- (default variant); repeatable");
ABSL_FLAG(std::vector<std::string>, skip_board, {},
          "boards to leave out (same forms as --only-board)");
ABSL_FLAG(std::vector<std::string>, only_test, {}, "test kinds to run: LABEL or one LABEL:args");
ABSL_FLAG(std::vector<std::string>, skip_test, {}, "test kinds to leave out");
ABSL_FLAG(std::vector<std::string>, split, {},
          "LABEL=K: run test kind LABEL as K shards that K tentacles of a board share (native "
          "harness); over the spec's own `split`");
ABSL_FLAG(std::vector<std::string>, only_fut, {},
          "features under test to run (MCU_ONLY, WLAN, ...)");
ABSL_FLAG(std::vector<std::string>, skip_fut, {}, "features under test to leave out");
ABSL_FLAG(std::vector<std::string>, only_tag, {}, "tentacle tags, key=v1,v2 (all must match)");
ABSL_FLAG(std::string, reference_board, "",
          "reference board of two-tentacle tests (default: the tentacle tagged reference=true, "
          "else RPI_PICO_W)");
ABSL_FLAG(int, count, 1, "repeat groups that had failures up to N times (flakiness)");
ABSL_FLAG(int, jobs, 6, "test runs at once (0 = unlimited)");
ABSL_FLAG(int, build_jobs, 2, "firmware builds at once");
ABSL_FLAG(bool, flash_force, false, "flash even if the board already runs the firmware");
ABSL_FLAG(bool, flash_skip, false,
          "never build or flash: test what the boards run (boards with several variants are "
          "tested once, as variant 'unknown'; --only-board=BOARD-VARIANT is then refused)");
ABSL_FLAG(std::string, firmware_build, "",
          "firmware source: a directory or a git spec url[~PR][@ref] (env MPTEST_FIRMWARE_BUILD; "
          "default: the built-in lab's)");
ABSL_FLAG(std::string, micropython_tests, "",
          "the tests: a directory, a micropython checkout or a git spec (env "
          "MPTEST_MICROPYTHON_TESTS; default: the built-in suite)");
ABSL_FLAG(std::string, testresults, "",
          "results directory (env MPTEST_TESTRESULTS; default: ./testresults)");
ABSL_FLAG(std::string, inventory, "",
          "tentacle inventory textproto (default: the built-in virtual lab)");
ABSL_FLAG(std::string, boards, "",
          "directory of more board definitions: they extend the built-in boards/, and one with "
          "a built-in board's name replaces it");
ABSL_FLAG(std::string, specs, "",
          "test kinds textproto (default: the built-in suite's kinds, testdata/specs/"
          "virtual_lab.textproto, without --micropython_tests; MicroPython's, testdata/specs/"
          "micropython.textproto, with it)");
ABSL_FLAG(std::string, xfail, "", "xfail JSON file: {group: {test: [BOARD-VARIANT, ...]}}");
ABSL_FLAG(std::string, build_cache, "", "build cache directory (default: ~/.cache/mptest)");
ABSL_FLAG(std::vector<std::string>, firmware, {},
          "firmware files to test instead of builds: BOARD=<file>, BOARD-VARIANT=<file> or a "
          "directory of <BOARD>[-<VARIANT>].<ext> files (comma-separated)");
ABSL_FLAG(double, call_timeout_s, 60,
          "the deadline, in seconds, of one plugin call outside test runs: plugin-call's, and "
          "a campaign's board-driver Discover, Start and Stop");
ABSL_FLAG(double, run_margin_s, 60,
          "a test run's deadline beyond its attempts' timeouts (timeout_s times attempts), for "
          "flashing and the version check: past it the run is killed, its boards powered off");
ABSL_FLAG(std::vector<std::string>, build_arg, {},
          "arguments for every firmware build, before the board definition's (micropython_make: "
          "make arguments, e.g. --build_arg=MICROPY_PY_FFI=0,MICROPY_PY_BTREE=0)");
ABSL_FLAG(
    bool, multiprocessing, true,
    "run each build and test in its own process (--nomultiprocessing: inline, for a debugger)");
ABSL_FLAG(bool, last_variant, false,
          "flash: build the last variant of multi-variant boards instead of the first");
ABSL_FLAG(std::string, lock_dir, "",
          "private directory of the locks: one campaign per inventory, one mptest per results "
          "directory (default $XDG_RUNTIME_DIR/mptest, else /tmp/mptest-<uid>; it must be "
          "yours, mode 0700)");
ABSL_FLAG(std::string, executor, "local",
          "where test runs run: local (this host's tentacles) or slurm (each run on the Slurm "
          "host holding its tentacles, through srun; see the README's \"Past one host\")");
ABSL_FLAG(std::string, slurm_srun, "srun", "--executor=slurm: the srun program");
ABSL_FLAG(std::string, slurm_scancel, "scancel", "--executor=slurm: the scancel program");
ABSL_FLAG(std::string, slurm_sinfo, "sinfo", "--executor=slurm: the sinfo program");
ABSL_FLAG(std::vector<std::string>, slurm_arg, {},
          "--executor=slurm: more srun options, e.g. --slurm_arg=--partition=lab");
ABSL_FLAG(std::vector<std::string>, slurm_worker, {},
          "--executor=slurm: the worker's command line on the hosts, comma-separated (default: "
          "this mptest's path here, worker), e.g. /usr/bin/mptest,worker,--worker_dir=/var/lib/w");
ABSL_FLAG(std::string, worker_dir, "",
          "mptest worker: what this host keeps between runs (default: <build_cache>/worker)");
ABSL_FLAG(std::string, slurm_config_out, "",
          "mptest slurm-config: write slurm-mptest.conf and gres.conf into this directory "
          "(default: print them)");
ABSL_FLAG(int, quarantine_after, 3, "infrastructure failures in a row that take a tentacle out");
ABSL_FLAG(std::string, usb_watchdog, "auto",
          "watch the kernel log for USB errors and end the campaign on one (exit 3): auto (when a "
          "tentacle is real hardware, driver type serial), on, off");
ABSL_FLAG(std::string, usb_log_command, mptest::cli::kDefaultUsbLogCommand,
          "the log-follow command of the USB watchdog (split on spaces, no shell); its lines go "
          "to <testresults>/journalctl.txt");
ABSL_FLAG(bool, debug_skip_usb_error, false,
          "USB errors in the kernel log only warn instead of ending the campaign");

namespace {

constexpr int kExitUsage = 2;

volatile sig_atomic_t interrupted = 0;

// First SIGINT/SIGTERM: stop dispatching and end the running runs as interrupted (SIGTERM to
// their children, SIGKILL after the grace; then boards powered off, reports final). A second
// one skips the grace: what still runs is SIGKILLed at once (an inline run is abandoned at
// once); boards are still powered off and the reports final. A third ends mptest at once (the
// default action).
void OnInterrupt(int signal_number) {
  interrupted = interrupted + 1;
  if (interrupted >= 2) signal(signal_number, SIG_DFL);
}

// What to do about a host error, before its text: the open-file limit when descriptors ran out.
std::string HostErrorHint(const std::string& error) {
  if (error.find("Too many open files") == std::string::npos) return "";
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return "too many open files: ";
  return absl::StrCat("too many open files (the open-file limit, ulimit -n, is ", limit.rlim_cur,
                      "): ");
}

std::string VersionString() { return absl::StrCat("mptest ", mptest::kVersion, "\n"); }

// Accept the anchor's --only-board spelling as well as --only_board.
std::vector<char*> NormalizeFlagNames(int argc, char** argv, std::vector<std::string>* storage) {
  storage->reserve(argc);
  std::vector<char*> out;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (i > 0 && arg.rfind("--", 0) == 0) {
      size_t end = arg.find('=');
      for (size_t j = 2; j < std::min(end, arg.size()); ++j) {
        if (arg[j] == '-') arg[j] = '_';
      }
    }
    storage->push_back(arg);
  }
  for (std::string& arg : *storage) out.push_back(arg.data());
  return out;
}

// The flags absl::ParseCommandLine handles itself (help, version, flag files), which the flag
// registry does not list.
bool IsAbseilBuiltinFlag(absl::string_view name) {
  for (absl::string_view builtin :
       {"help", "helpfull", "helpshort", "helppackage", "helpon", "helpmatch", "version",
        "only_check_args", "flagfile", "fromenv", "tryfromenv", "undefok"}) {
    if (name == builtin) return true;
  }
  return false;
}

// Flag syntax errors (an unknown flag, a value that does not parse, a missing value) are usage
// errors (exit 2), so they are found here, naming the flag, before absl::ParseCommandLine, which
// would exit 1 ("test failures") on them. `args` are NormalizeFlagNames's.
absl::Status CheckFlagSyntax(const std::vector<char*>& args) {
  for (size_t i = 1; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;  // a command or a plugin name
    absl::string_view body = absl::StripPrefix(absl::StripPrefix(arg, "-"), "-");
    const size_t equals = body.find('=');
    const absl::string_view name = body.substr(0, equals);
    if (IsAbseilBuiltinFlag(name)) continue;  // absl::ParseCommandLine's own
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr) {
      absl::CommandLineFlag* negated = absl::ConsumePrefix(&body, "no")
                                           ? absl::FindCommandLineFlag(body.substr(0, equals - 2))
                                           : nullptr;
      if (negated != nullptr && negated->IsOfType<bool>() && equals == absl::string_view::npos) {
        continue;
      }
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag '", absl::CHexEscape(arg), "' (try --help)"));
    }
    std::string value;
    if (equals != absl::string_view::npos) {
      value = std::string(body.substr(equals + 1));
    } else if (flag->IsOfType<bool>()) {
      continue;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return absl::InvalidArgumentError(absl::StrCat("--", name, ": missing value"));
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, ": '", absl::CHexEscape(value), "': ", error));
    }
  }
  return absl::OkStatus();
}

// A flag's value, else the environment variable that stands for it (the anchor's
// TESTBED_MICROPYTHON_* variables, as MPTEST_*), else "".
std::string FlagOrEnv(const absl::Flag<std::string>& flag, const char* variable) {
  std::string value = absl::GetFlag(flag);
  if (value.empty() && getenv(variable) != nullptr) value = getenv(variable);
  return value;
}

// A path the user gave, relative to where they ran `bazel run` from.
std::string UserPath(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  const char* cwd = getenv("BUILD_WORKING_DIRECTORY");
  return cwd ? absl::StrCat(cwd, "/", path) : path;
}

using mptest::install::Runfile;  // a file shipped with mptest (its runfiles or installed tree)

// --build_cache, else $XDG_CACHE_HOME/mptest, else ~/.cache/mptest.
std::string CacheDir() {
  std::string cache = absl::GetFlag(FLAGS_build_cache);
  if (cache.empty()) cache = mptest::install::UserCacheDirectory();
  return UserPath(cache);
}

// The tests directory from --micropython_tests: the built-in suite, a directory (a micropython
// checkout's root stands for its tests/), or a git spec checked out into the cache.
absl::StatusOr<std::string> TestsDir(const std::string& argv0) {
  std::string tests = FlagOrEnv(FLAGS_micropython_tests, "MPTEST_MICROPYTHON_TESTS");
  if (tests.empty()) return Runfile(argv0, "testdata/suite");
  absl::StatusOr<mptest::GitSpec> spec = mptest::ParseGitSpec(tests);
  if (!spec.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--micropython_tests: ", spec.status().message()));
  }
  std::string dir = UserPath(tests);
  if (!spec->local_directory) {
    mptest::CheckoutOptions options;
    options.cache_dir = CacheDir();
    options.prefix = "tests_";
    absl::StatusOr<mptest::Checkout> checkout = mptest::CheckoutGitSpec(*spec, options);
    if (!checkout.ok()) {
      return absl::UnavailableError(
          absl::StrCat("--micropython_tests: ", checkout.status().message()));
    }
    dir = checkout->path;
  }
  if (access((dir + "/tests/run-tests.py").c_str(), R_OK) == 0) dir += "/tests";
  if (access(dir.c_str(), R_OK) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--micropython_tests: ", dir, " is not a readable directory"));
  }
  return dir;
}

// --testresults, else MPTEST_TESTRESULTS, else ./testresults.
std::string ResultsPath() {
  std::string results_flag = FlagOrEnv(FLAGS_testresults, "MPTEST_TESTRESULTS");
  return UserPath(results_flag.empty() ? "testresults" : results_flag);
}

// The private directory of the campaign's locks (--lock_dir or the default), made and checked.
absl::StatusOr<std::string> LockDirectory() {
  const std::string flag = absl::GetFlag(FLAGS_lock_dir);
  return mptest::cli::LockDirectory(flag.empty() ? "" : UserPath(flag));
}

// Who holds a lock, for the message another mptest gets.
std::string Holder(const std::string& command) {
  return absl::StrCat("mptest ", command, " since ",
                      absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::Now(), absl::LocalTimeZone()));
}

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "mptest: %s\n", message.c_str());
  return code;
}

// What stops mptest before the campaign (a results directory, a plugin it cannot vet): the
// host's failure (full disk, no descriptors left: exit 3) or the command line's (exit 2).
int FailUsageOrHost(const absl::Status& status) {
  const std::string message(status.message());
  return Fail(mptest::sched::IsHostResourceError(message) ? 3 : kExitUsage, message);
}

struct Loaded {
  mptest::sched::LabConfig lab;
  std::string boards_dir;
  std::string specs_path;
  std::string tests_dir;
  std::string source;
};

absl::StatusOr<Loaded> LoadConfig(const std::string& argv0) {
  Loaded loaded;
  bool builtin = absl::GetFlag(FLAGS_inventory).empty();
  std::string inventory = builtin ? Runfile(argv0, "testdata/inventories/virtual_lab.textproto")
                                  : UserPath(absl::GetFlag(FLAGS_inventory));
  std::vector<std::string> boards = {Runfile(argv0, "boards")};
  if (!absl::GetFlag(FLAGS_boards).empty()) boards.push_back(UserPath(absl::GetFlag(FLAGS_boards)));
  // The test kinds go with the tests they run: the built-in suite's kinds unless
  // --micropython_tests names another suite, then MicroPython's (run-tests.py and friends).
  const bool builtin_tests = FlagOrEnv(FLAGS_micropython_tests, "MPTEST_MICROPYTHON_TESTS").empty();
  std::string specs = !absl::GetFlag(FLAGS_specs).empty()
                          ? UserPath(absl::GetFlag(FLAGS_specs))
                          : Runfile(argv0, builtin_tests ? "testdata/specs/virtual_lab.textproto"
                                                         : "testdata/specs/micropython.textproto");
  absl::StatusOr<mptest::sched::LabConfig> lab = mptest::sched::LoadLab(boards, inventory, specs);
  if (!lab.ok()) return lab.status();
  loaded.lab = *std::move(lab);
  loaded.boards_dir = boards.back();  // the user's when given: named in plugin errors
  loaded.specs_path = specs;
  absl::StatusOr<std::string> tests_dir = TestsDir(argv0);
  if (!tests_dir.ok()) return tests_dir.status();
  loaded.tests_dir = *tests_dir;
  std::string source = FlagOrEnv(FLAGS_firmware_build, "MPTEST_FIRMWARE_BUILD");
  if (source.empty()) {
    loaded.source = Runfile(argv0, "boards");  // the virtual builder derives images from these
  } else {
    absl::StatusOr<mptest::GitSpec> spec = mptest::ParseGitSpec(source);
    if (!spec.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--firmware_build: ", spec.status().message()));
    }
    loaded.source = spec->local_directory ? UserPath(source) : source;
    if (spec->local_directory && access(loaded.source.c_str(), R_OK) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--firmware_build: ", loaded.source, " is not a readable directory"));
    }
  }
  return loaded;
}

// Path flags that name nothing usable are usage errors: each --plugin_path entry must exist, and
// the build cache must exist or be creatable.
absl::Status CheckPathFlags() {
  for (absl::string_view entry :
       absl::StrSplit(absl::GetFlag(FLAGS_plugin_path), ':', absl::SkipEmpty())) {
    const std::string path(entry);
    struct stat info;
    if (stat(path.c_str(), &info) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--plugin_path: ", path, ": ", strerror(errno)));
    }
    if (!S_ISDIR(info.st_mode) && !S_ISREG(info.st_mode)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--plugin_path: ", path, ": neither a directory nor a plugin file"));
    }
  }
  const std::string cache = CacheDir();
  if (!cache.empty()) {
    if (absl::Status status = mptest::report::MakeDirectories(cache); !status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--build_cache: ", status.message()));
    }
  }
  return absl::OkStatus();
}

// Why the plan runs nothing ("" when it runs something): a selection that leaves nothing to run
// is a usage error, not a clean "0 runs".
std::string NothingToRun(const mptest::sched::CampaignPlan& plan) {
  if (plan.specs.empty()) {
    return "the selection leaves no test kind to run (see --only-test, --skip-test, --only-fut, "
           "--skip-fut)";
  }
  if (plan.tentacles.empty()) {
    return "the selection leaves no tentacle to test (see --only-board, --skip-board, "
           "--only-tag)";
  }
  if (mptest::sched::MakeMatrix(plan, plan.tentacles)->total() == 0) {
    return "no selected tentacle can run a selected test kind (`mptest list-tests` with the same "
           "flags says why)";
  }
  return "";
}

absl::Status CheckNumbers() {
  if (absl::GetFlag(FLAGS_count) < 1) return absl::InvalidArgumentError("--count: must be >= 1");
  if (absl::GetFlag(FLAGS_jobs) < 0) return absl::InvalidArgumentError("--jobs: must be >= 0");
  if (absl::GetFlag(FLAGS_build_jobs) < 1) {
    return absl::InvalidArgumentError("--build_jobs: must be >= 1");
  }
  if (absl::GetFlag(FLAGS_flash_force) && absl::GetFlag(FLAGS_flash_skip)) {
    return absl::InvalidArgumentError("--flash_skip: cannot be combined with --flash_force");
  }
  if (absl::GetFlag(FLAGS_quarantine_after) < 1) {
    return absl::InvalidArgumentError("--quarantine_after: must be >= 1");
  }
  if (!(absl::GetFlag(FLAGS_call_timeout_s) > 0)) {
    return absl::InvalidArgumentError("--call_timeout_s: must be more than 0");
  }
  if (!(absl::GetFlag(FLAGS_run_margin_s) >= 0)) {
    return absl::InvalidArgumentError("--run_margin_s: must be 0 or more");
  }
  absl::StatusOr<mptest::cli::UsbWatchdogMode> mode =
      mptest::cli::ParseUsbWatchdogMode(absl::GetFlag(FLAGS_usb_watchdog));
  if (!mode.ok()) return mode.status();
  if (*mode != mptest::cli::UsbWatchdogMode::kOff &&
      absl::StripAsciiWhitespace(absl::GetFlag(FLAGS_usb_log_command)).empty()) {
    return absl::InvalidArgumentError("--usb_log_command: empty (or use --usb_watchdog=off)");
  }
  return absl::OkStatus();
}

mptest::cli::Filters FiltersFromFlags() {
  mptest::cli::Filters filters;
  filters.only_board = absl::GetFlag(FLAGS_only_board);
  filters.skip_board = absl::GetFlag(FLAGS_skip_board);
  filters.only_test = absl::GetFlag(FLAGS_only_test);
  filters.skip_test = absl::GetFlag(FLAGS_skip_test);
  filters.only_fut = absl::GetFlag(FLAGS_only_fut);
  filters.skip_fut = absl::GetFlag(FLAGS_skip_fut);
  filters.only_tag = absl::GetFlag(FLAGS_only_tag);
  filters.reference_board = absl::GetFlag(FLAGS_reference_board);
  filters.flash_skip = absl::GetFlag(FLAGS_flash_skip);
  filters.split = absl::GetFlag(FLAGS_split);
  return filters;
}

// The USB watchdog as --usb_watchdog says: nullptr when off (or, in auto mode, when it cannot
// watch: a warning then); an error when --usb_watchdog=on and it cannot watch.
absl::StatusOr<std::unique_ptr<mptest::cli::UsbWatchdog>> StartUsbWatchdog(
    const std::vector<mptest::proto::InventoryEntry>& tentacles, const std::string& results) {
  mptest::cli::UsbWatchdogMode mode =
      *mptest::cli::ParseUsbWatchdogMode(absl::GetFlag(FLAGS_usb_watchdog));  // checked
  if (!mptest::cli::UsbWatchdogWanted(mode, tentacles)) return nullptr;
  mptest::cli::UsbWatchdogOptions options;
  options.command = absl::GetFlag(FLAGS_usb_log_command);
  options.log_path = results + "/journalctl.txt";
  absl::StatusOr<std::unique_ptr<mptest::cli::UsbWatchdog>> watchdog =
      mptest::cli::UsbWatchdog::Start(options);
  if (watchdog.ok()) return watchdog;
  if (mode == mptest::cli::UsbWatchdogMode::kOn) {
    return absl::FailedPreconditionError(
        absl::StrCat("--usb_watchdog=on: ", watchdog.status().message()));
  }
  std::printf("mptest: warning: USB errors are not watched (--usb_watchdog=auto): %s\n",
              std::string(watchdog.status().message()).c_str());
  return nullptr;
}

// Polled by the campaign loop: a USB error ends the campaign (sets *usb_error) unless
// --debug_skip_usb_error, which only warns; a log command that ended is warned about once.
void CheckUsbWatchdog(mptest::cli::UsbWatchdog& watchdog, mptest::cli::ConsoleSink& console,
                      std::string* usb_error) {
  for (const std::string& line : watchdog.TakeUsbErrors()) {
    if (absl::GetFlag(FLAGS_debug_skip_usb_error)) {
      console.Alert(absl::StrCat(
          "warning: USB error in the kernel log (going on: --debug_skip_usb_error): ", line));
    } else if (usb_error->empty()) {
      *usb_error = line;
      console.Alert(absl::StrCat("USB error in the kernel log, ending the campaign: ", line));
    }
  }
  std::string ended = watchdog.TakeEndedNote();
  if (!ended.empty()) console.Alert(absl::StrCat("warning: ", ended));
}

int RunCampaign(const Loaded& loaded, const std::string& command, int argc, char** argv) {
  absl::StatusOr<mptest::sched::CampaignPlan> plan =
      mptest::cli::SelectPlan(loaded.lab, FiltersFromFlags());
  if (!plan.ok()) return Fail(kExitUsage, std::string(plan.status().message()));
  if (std::string nothing = NothingToRun(*plan); !nothing.empty()) {
    return Fail(kExitUsage, nothing);
  }
  mptest::sched::BuildOptions firmware_files;  // --firmware, checked before anything starts
  if (absl::Status status = mptest::cli::ParseFirmwareFlag(
          absl::GetFlag(FLAGS_firmware), loaded.lab.boards, UserPath, &firmware_files);
      !status.ok()) {
    return Fail(kExitUsage, std::string(status.message()));
  }
  // Every plugin the configuration names is found and vetted before anything starts.
  mptest::cli::CliPlugins plugins(argv[0]);
  if (absl::Status status = plugins.CheckLab(loaded.lab, loaded.boards_dir, loaded.specs_path);
      !status.ok()) {
    return FailUsageOrHost(status);
  }
  if (command == "flash") {
    mptest::sched::MakeFlashPlan(mptest::cli::kFlashOnlyHarness, absl::GetFlag(FLAGS_last_variant),
                                 &*plan);
  }
  std::unique_ptr<mptest::sched::Xfail> xfail;
  if (!absl::GetFlag(FLAGS_xfail).empty()) {
    absl::StatusOr<mptest::sched::Xfail> parsed =
        mptest::sched::Xfail::Load(UserPath(absl::GetFlag(FLAGS_xfail)));
    if (!parsed.ok()) return Fail(kExitUsage, absl::StrCat("--xfail: ", parsed.status().message()));
    xfail = std::make_unique<mptest::sched::Xfail>(*std::move(parsed));
    std::set<std::string> groups;
    for (const mptest::proto::TestRunSpec& spec : loaded.lab.specs) groups.insert(spec.label());
    std::map<std::string, std::vector<std::string>> boards;
    for (const auto& [name, board] : loaded.lab.boards) {
      boards[name] = {board.variants().begin(), board.variants().end()};
    }
    for (const std::string& entry : xfail->Unmatched(groups, boards)) {
      std::printf("mptest: warning: --xfail: %s: matches nothing\n", entry.c_str());
    }
  }
  const bool on_slurm = absl::GetFlag(FLAGS_executor) == "slurm";
  if (on_slurm) {
    if (absl::Status status =
            mptest::sched::CheckSlurmInventory(loaded.lab.inventory, loaded.lab.inventory_path);
        !status.ok()) {
      return Fail(kExitUsage, absl::StrCat("--executor=slurm: ", status.message()));
    }
  }
  absl::StatusOr<std::string> lock_dir = LockDirectory();
  if (!lock_dir.ok()) return Fail(kExitUsage, std::string(lock_dir.status().message()));
  const std::string holder = Holder(command);
  // One campaign at a time drives a local lab; on Slurm, Slurm shares the lab between campaigns
  // a tentacle at a time.
  std::optional<mptest::FileLock> lock;
  if (!on_slurm) {
    absl::StatusOr<mptest::FileLock> locked =
        mptest::cli::LockInventory(loaded.lab.inventory_path, *lock_dir, holder);
    if (!locked.ok()) return Fail(kExitUsage, std::string(locked.status().message()));
    lock.emplace(*std::move(locked));
  }
  const std::string results = ResultsPath();
  std::vector<mptest::FileLock> results_locks;  // the directory, and the new one if moved
  absl::StatusOr<mptest::FileLock> results_lock =
      mptest::cli::LockResultsDir(results, /*create=*/true);
  if (!results_lock.ok()) return FailUsageOrHost(results_lock.status());
  results_locks.push_back(*std::move(results_lock));
  // What a dead campaign on this results directory left running ends now; what this one starts
  // is marked the same way.
  const std::string campaign_key = mptest::cli::CanonicalPath(results);
  const std::vector<std::string> leftovers = mptest::cli::EndLeftovers(campaign_key);
  if (!leftovers.empty()) {
    std::printf("mptest: ended %zu process(es) an earlier campaign on %s left running:\n",
                leftovers.size(), campaign_key.c_str());
    for (const std::string& line : leftovers) std::printf("  %s\n", line.c_str());
  }
  mptest::cli::MarkCampaign(campaign_key);
  absl::StatusOr<std::string> moved = mptest::cli::PrepareResultsDir(results, holder);
  if (!moved.ok()) return FailUsageOrHost(moved.status());
  if (!moved->empty()) {
    std::printf("mptest: the previous results were moved to %s\n", moved->c_str());
    absl::StatusOr<mptest::FileLock> new_lock =
        mptest::cli::LockResultsDir(results, /*create=*/false);  // the new directory
    if (!new_lock.ok()) return FailUsageOrHost(new_lock.status());
    results_locks.push_back(*std::move(new_lock));
  }
  // The campaign's log, with every job's log joined into it as the job ends (logs/: theirs).
  const std::string job_logs = results + "/logs";
  if (absl::Status status = mptest::report::MakeDirectories(job_logs); !status.ok()) {
    return Fail(3, std::string(status.message()));
  }
  if (absl::Status status = mptest::log::LogToFile(results + "/mptest.log"); !status.ok()) {
    return Fail(3, std::string(status.message()));
  }
  absl::StatusOr<std::unique_ptr<mptest::cli::UsbWatchdog>> watchdog = StartUsbWatchdog(
      on_slurm ? std::vector<mptest::proto::InventoryEntry>() : plan->tentacles, results);
  if (!watchdog.ok()) return Fail(kExitUsage, std::string(watchdog.status().message()));

  mptest::sched::CampaignOptions options;
  options.flash_skip = absl::GetFlag(FLAGS_flash_skip);
  options.build.source = loaded.source;
  options.build.source_revision = mptest::sched::SourceRevision(loaded.source);
  options.build.cache_dir = CacheDir();
  options.build.results_dir = results;
  options.build.build_jobs = absl::GetFlag(FLAGS_build_jobs);
  options.build.builder_args = absl::GetFlag(FLAGS_build_arg);
  options.build.firmware_files = firmware_files.firmware_files;
  options.build.firmware_dir = firmware_files.firmware_dir;
  options.driver_call_deadline = absl::Seconds(absl::GetFlag(FLAGS_call_timeout_s));
  options.test.jobs = absl::GetFlag(FLAGS_jobs);
  options.test.quarantine_after = absl::GetFlag(FLAGS_quarantine_after);
  options.test.margin = absl::Seconds(absl::GetFlag(FLAGS_run_margin_s));
  options.test.results_dir = results;
  options.test.tests_dir = loaded.tests_dir;
  options.test.xfail = xfail.get();
  options.test.run.count = absl::GetFlag(FLAGS_count);
  options.test.run.flash_force = absl::GetFlag(FLAGS_flash_force) || command == "flash";
  options.test.run.flash_skip = absl::GetFlag(FLAGS_flash_skip);

  mptest::proto::CampaignContext context;
  // Under --flash_skip nothing is built: the source (a runfiles path for the virtual lab) says
  // nothing about what the boards run.
  context.set_ref_firmware(absl::GetFlag(FLAGS_flash_skip)
                               ? "not built: --flash_skip tests what the boards already run"
                               : loaded.source);
  context.set_ref_tests(loaded.tests_dir);
  std::vector<std::string> args(argv, argv + argc);
  context.set_commandline(absl::StrJoin(args, " "));
  char host[256] = "host";
  gethostname(host, sizeof(host) - 1);
  context.set_trigger(getenv("CI") ? "github ci pipeline"
                                   : absl::StrCat("manually started from ", host));
  context.set_testbed_name(loaded.lab.inventory.name());
  context.set_mptest_version(mptest::kVersion);
  context.set_start_s(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()));
  if (xfail) context.set_xfail_file(absl::GetFlag(FLAGS_xfail));
  absl::StatusOr<std::unique_ptr<mptest::report::ResultsWriter>> writer =
      mptest::report::ResultsWriter::Create(results, context);
  if (!writer.ok()) return Fail(3, std::string(writer.status().message()));
  mptest::cli::ReportSink report(*std::move(writer));
  mptest::report::ConsoleWriter console_writer(
      STDOUT_FILENO, mptest::report::ConsoleWriter::DetectMode(STDOUT_FILENO));
  mptest::cli::ConsoleSink console(&console_writer, report.writer());
  mptest::cli::TeeSink sink({&report, &console});

  // The reporter: what any process of the campaign sends (reporter_send from a harness's script,
  // core/report's ReporterClient) lands in results.json. Its socket is in a fresh 0700
  // directory, and only this user's processes are served (SO_PEERCRED); children find it in
  // MPTEST_REPORTER_SOCKET. With forked jobs it has no thread (none may run while the campaign
  // forks): the campaign's loop wakes when a peer sends and serves it between waits (after_wait).
  // Inline, a thread serves it, as the campaign's thread waits for the job's. Either way the
  // sections are queued and the campaign's thread writes them.
  mptest::report::ReporterServerOptions reporter_options;
  reporter_options.serve_on_caller_thread = absl::GetFlag(FLAGS_multiprocessing);
  reporter_options.on_section = [&report](const mptest::proto::ReportSection& section) {
    report.QueueSection(section);
    return absl::OkStatus();
  };
  absl::StatusOr<std::unique_ptr<mptest::report::ReporterServer>> reporter =
      mptest::report::ReporterServer::Start(std::move(reporter_options));
  if (!reporter.ok()) {
    report.Abort(std::string(reporter.status().message()));
    return Fail(3, absl::StrCat("cannot start the reporter: ", reporter.status().message()));
  }
  (*reporter)->ExportToEnvironment(Runfile(argv[0], "core/report/reporter_send"));

  // Every build and test run is a call of core/process's Supervisor: a forked child, or inline
  // (--nomultiprocessing) for a debugger.
  if (!absl::GetFlag(FLAGS_multiprocessing)) {
    mptest::process::SetDefaultContext(mptest::process::Context::kInline);
  }
  const int jobs = options.test.jobs == 0 ? 64 : options.test.jobs;
  // The jobs' events (each test as it starts and ends) reach the campaign, and through it the
  // console and reports, while the jobs run (from runs on Slurm hosts too, through srun).
  mptest::bus::EventBus bus;
  options.bus = &bus;
  std::unique_ptr<mptest::sched::Executor> executor;
  if (on_slurm) {
    // Builds and the campaign's own calls here; each test run on its tentacles' host.
    mptest::sched::SlurmOptions slurm;
    slurm.srun = absl::GetFlag(FLAGS_slurm_srun);
    slurm.scancel = absl::GetFlag(FLAGS_slurm_scancel);
    slurm.sinfo = absl::GetFlag(FLAGS_slurm_sinfo);
    slurm.srun_args = absl::GetFlag(FLAGS_slurm_arg);
    slurm.worker = absl::GetFlag(FLAGS_slurm_worker);
    if (slurm.worker.empty()) slurm.worker = {mptest::cli::CanonicalPath(argv[0]), "worker"};
    if (!absl::GetFlag(FLAGS_plugin_path).empty()) {
      slurm.worker.push_back(absl::StrCat("--plugin_path=", absl::GetFlag(FLAGS_plugin_path)));
    }
    slurm.results_dir = results;
    slurm.log_dir = job_logs;
    slurm.bus = &bus;
    executor = std::make_unique<mptest::sched::SlurmExecutor>(
        std::move(slurm),
        std::make_unique<mptest::sched::ProcessExecutor>(
            options.build.build_jobs + 1, absl::Seconds(2), std::nullopt, job_logs, &bus),
        jobs);
  } else {
    executor = std::make_unique<mptest::sched::ProcessExecutor>(
        jobs + options.build.build_jobs, absl::Seconds(2), std::nullopt, job_logs, &bus);
  }
  if (absl::GetFlag(FLAGS_multiprocessing)) {
    executor->WakeOn((*reporter)->wait_fd());
    options.after_wait = [&reporter] { (*reporter)->ServeReady(); };
  }
  std::string usb_error;  // the line that ends the campaign
  options.interrupted = [&] {
    if (*watchdog) {
      CheckUsbWatchdog(**watchdog, console, &usb_error);
      if (!usb_error.empty()) {
        const std::string reason = absl::StrCat("USB error in the kernel log: ", usb_error);
        report.SetEndReason(reason);
        console.SetEndReason(reason);
      }
    }
    return interrupted != 0 || !usb_error.empty();
  };
  options.hurry = [] { return interrupted >= 2; };
  options.test.run.interrupted = [] { return interrupted != 0; };
  // A results directory that cannot be written (a full disk) ends the campaign: every run
  // would be lost the same way.
  options.host_error = [&]() -> std::string {
    return report.write_error().ok() ? "" : std::string(report.write_error().message());
  };
  signal(SIGINT, OnInterrupt);
  signal(SIGTERM, OnInterrupt);
  // Held back for the end: a campaign that runs out of descriptors still records its runs,
  // writes its reports and says why it ended.
  mptest::sched::ReserveDescriptors();
  std::fflush(stdout);  // the console writer writes to the descriptor directly
  mptest::sched::Campaign campaign(*std::move(plan), options, plugins, *executor, sink);
  absl::StatusOr<mptest::proto::CampaignSummary> summary = campaign.Run();
  if (*watchdog) (*watchdog)->Stop();
  if (!summary.ok()) {
    report.Abort(std::string(summary.status().message()));
    return Fail(3, absl::StrCat(HostErrorHint(std::string(summary.status().message())),
                                summary.status().message()));
  }
  if (!report.write_error().ok()) {  // e.g. a full disk: the results on disk are incomplete
    return Fail(3, absl::StrCat("the results directory could not be written completely: ",
                                report.write_error().message()));
  }
  if (!summary->host_error().empty()) {
    return Fail(3, absl::StrCat("the campaign ended early on a host error (not a board's): ",
                                HostErrorHint(summary->host_error()), summary->host_error()));
  }
  return summary->exit_code();
}

}  // namespace

int main(int argc, char** argv) {
  absl::FlagsUsageConfig usage_config;
  usage_config.version_string = VersionString;
  usage_config.contains_help_flags = [](absl::string_view path) {
    return path.find("tools/") != absl::string_view::npos ||
           path.find("core/") != absl::string_view::npos;
  };
  absl::SetFlagsUsageConfig(usage_config);
  absl::SetProgramUsageMessage(
      "runs MicroPython's test suites on many boards at once.\n"
      "\n"
      "usage: mptest [COMMAND] [--flags]\n"
      "commands: test (default), list-tests, list-tentacles, flash, report, plugins,\n"
      "  plugin-call NAME METHOD [REQUEST.textproto]  (one plugin function, alone)\n"
      "  slurm-config  (slurm.conf and gres.conf lines of --inventory's hosts and tentacles)\n"
      "  worker        (one test run on a Slurm host; --executor=slurm starts it)\n"
      "  --version   print the version and exit\n"
      "  --help      print this help and the flags\n"
      "With no arguments mptest runs a campaign on its built-in virtual lab.\n"
      "Exit: 0 all passed, 1 test failures, 2 usage or configuration error, 3 infrastructure "
      "errors.");
  std::vector<std::string> storage;
  std::vector<char*> normalized = NormalizeFlagNames(argc, argv, &storage);
  if (absl::Status status = CheckFlagSyntax(normalized); !status.ok()) {
    return Fail(kExitUsage, std::string(status.message()));
  }
  std::vector<char*> args =
      absl::ParseCommandLine(static_cast<int>(normalized.size()), normalized.data());
  FLAGS_logtostderr = false;
  FLAGS_minloglevel = 1;
  // The console says what went wrong in its own words; glog's raw lines stay in its log file.
  FLAGS_stderrthreshold = google::GLOG_FATAL;
  google::InitGoogleLogging(argv[0]);
  // No glog files of its own (they would go to the shared /tmp): a campaign logs to
  // <testresults>/mptest.log (log::LogToFile), and the console says what went wrong.
  for (int severity = 0; severity < google::NUM_SEVERITIES; ++severity) {
    google::SetLogDestination(severity, "");
  }
  std::string command = args.size() > 1 ? args[1] : "test";
  if (command == "plugin-call") {  // no lifeline: a board it starts runs until its Stop
    if (absl::Status status = CheckNumbers(); !status.ok()) {
      return Fail(kExitUsage, std::string(status.message()));
    }
    mptest::cli::CliPlugins plugins(argv[0]);
    std::vector<std::string> call(args.begin() + 2, args.end());
    // NAME METHOD [REQUEST]: a request file is the user's path (bazel run starts mptest elsewhere).
    if (call.size() == 3 && call[2] != "-") call[2] = UserPath(call[2]);
    return mptest::cli::RunPluginCall(plugins, call,
                                      absl::Seconds(absl::GetFlag(FLAGS_call_timeout_s)));
  }
  if (command == "worker") {              // under srun on a tentacle's host: one test run
    mptest::firmware::PrepareLifeline();  // the boards it starts live no longer than it
    mptest::cli::CliPlugins plugins(argv[0]);
    const std::string dir = absl::GetFlag(FLAGS_worker_dir);
    return mptest::cli::RunWorkerCommand(plugins,
                                         dir.empty() ? CacheDir() + "/worker" : UserPath(dir));
  }
  mptest::firmware::PrepareLifeline();  // before any child is forked: boards outlive no campaign
  // Only `plugins` takes arguments: the names of plugins the user asks for.
  if (args.size() > 2 && command != "plugins") {
    return Fail(kExitUsage, absl::StrCat("unexpected argument '", args[2], "'"));
  }
  const std::vector<std::string> commands = {"test",   "list-tests", "list-tentacles", "flash",
                                             "report", "plugins",    "slurm-config"};
  if (std::find(commands.begin(), commands.end(), command) == commands.end()) {
    return Fail(kExitUsage, absl::StrCat("unknown command '", command, "' (try --help)"));
  }
  if (command == "report") {
    const std::string results = ResultsPath();
    absl::StatusOr<mptest::FileLock> lock = mptest::cli::LockResultsDir(results, /*create=*/false);
    if (!lock.ok()) return FailUsageOrHost(lock.status());
    if (absl::Status status = mptest::report::RebuildReports(results); !status.ok()) {
      return Fail(kExitUsage, std::string(status.message()));
    }
    std::printf("mptest: report rebuilt: %s/report.html\n", results.c_str());
    return 0;
  }
  if (command == "plugins") {
    mptest::plugin::PluginsCommandOptions options{
        mptest::plugin::SearchOptionsFromFlags(argv[0]),
        std::vector<std::string>(args.begin() + 2, args.end())};
    return mptest::plugin::RunPluginsCommand(options, std::cout);
  }
  if (command == "flash" && absl::GetFlag(FLAGS_flash_skip)) {
    return Fail(kExitUsage, "--flash_skip: cannot be combined with the flash command");
  }
  if (absl::Status status = CheckNumbers(); !status.ok()) {
    return Fail(kExitUsage, std::string(status.message()));
  }
  if (absl::Status status = mptest::cli::CheckFilters(FiltersFromFlags()); !status.ok()) {
    return Fail(kExitUsage, std::string(status.message()));
  }
  if (absl::Status status = CheckPathFlags(); !status.ok()) {
    return Fail(kExitUsage, std::string(status.message()));
  }
  absl::StatusOr<Loaded> loaded = LoadConfig(argv[0]);
  if (!loaded.ok()) {
    // A clone that fails is the environment's doing; everything else is the command line's.
    return Fail(absl::IsUnavailable(loaded.status()) ? 3 : kExitUsage,
                std::string(loaded.status().message()));
  }
  if (command == "list-tests") {
    // The same selection as `test`: the same plan, the same usage errors.
    absl::StatusOr<mptest::sched::CampaignPlan> plan =
        mptest::cli::SelectPlan(loaded->lab, FiltersFromFlags());
    if (!plan.ok()) return Fail(kExitUsage, std::string(plan.status().message()));
    return mptest::cli::ListTests(*plan);
  }
  if (command == "slurm-config") {
    return mptest::cli::RunSlurmConfigCommand(loaded->lab.inventory, loaded->lab.inventory_path,
                                              UserPath(absl::GetFlag(FLAGS_slurm_config_out)));
  }
  if (command == "list-tentacles") {
    // The drivers' state goes under the private directory, made (0700) before a driver makes
    // the parents it lacks with its own mode.
    absl::StatusOr<std::string> private_dir = LockDirectory();
    if (!private_dir.ok()) return Fail(kExitUsage, std::string(private_dir.status().message()));
    mptest::cli::CliPlugins plugins(argv[0]);
    return mptest::cli::ListTentacles(loaded->lab, plugins, *private_dir);
  }
  return RunCampaign(*loaded, command, argc, argv);
}
