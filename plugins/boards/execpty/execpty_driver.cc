// The execpty tentacle type (see execpty_driver.h).
#include "plugins/boards/execpty/execpty_driver.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "core/repl/raw_repl_client.h"
#include "core/report/atomic_file.h"
#include "firmware/launcher.h"
#include "plugins/boards/driver_util.h"

namespace mptest::boards {
namespace {

namespace fs = std::filesystem;

constexpr absl::Duration kStartTimeout = absl::Seconds(10);
constexpr absl::Duration kAnswerTimeout = absl::Seconds(15);

bool UsesFirmware(const proto::InventoryEntry& entry) {
  for (const std::string& arg : entry.command()) {
    if (arg.find("{firmware}") != std::string::npos) return true;
  }
  return false;
}

std::string TagOr(const proto::InventoryEntry& entry, const std::string& tag,
                  const std::string& fallback) {
  auto it = entry.tags().find(tag);
  return it == entry.tags().end() ? fallback : it->second;
}

struct ConsoleTags {
  std::string console;    // "stdio" or "announced"
  std::string line_ends;  // "unix" or "board"
};

// tags.console and tags.line_ends, checked.
absl::StatusOr<ConsoleTags> ReadConsoleTags(const proto::InventoryEntry& entry) {
  ConsoleTags tags;
  tags.console = TagOr(entry, "console", "stdio");
  if (tags.console != "stdio" && tags.console != "announced") {
    return absl::InvalidArgumentError(absl::StrCat("execpty tentacle '", entry.label(),
                                                   "': tags.console must be \"stdio\" or "
                                                   "\"announced\", not \"",
                                                   tags.console, "\""));
  }
  tags.line_ends = TagOr(entry, "line_ends", tags.console == "stdio" ? "unix" : "board");
  if (tags.line_ends != "unix" && tags.line_ends != "board") {
    return absl::InvalidArgumentError(absl::StrCat("execpty tentacle '", entry.label(),
                                                   "': tags.line_ends must be \"unix\" or "
                                                   "\"board\", not \"",
                                                   tags.line_ends, "\""));
  }
  return tags;
}

}  // namespace

ExecPtyDriver::ExecPtyDriver()
    : relay_(FindHelperProgram("MPTEST_EXECPTY_RELAY", "execpty_relay",
                               "plugins/boards/execpty/execpty_relay")) {}
ExecPtyDriver::ExecPtyDriver(std::string relay_binary) : relay_(std::move(relay_binary)) {}

absl::Status ExecPtyDriver::Initialize() {
  if (relay_.empty()) {
    return absl::NotFoundError(
        "execpty driver: cannot find the execpty_relay program; set MPTEST_EXECPTY_RELAY");
  }
  return absl::OkStatus();
}

absl::StatusOr<proto::DiscoverResponse> ExecPtyDriver::Discover(
    const proto::DiscoverRequest& request) {
  absl::StatusOr<std::vector<proto::Tentacle>> tentacles = ResolveEntries(request, "execpty");
  if (!tentacles.ok()) return tentacles.status();
  proto::DiscoverResponse response;
  for (proto::Tentacle& tentacle : *tentacles) {
    if (tentacle.entry().command().empty()) {
      return absl::InvalidArgumentError(absl::StrCat("execpty tentacle '", tentacle.entry().label(),
                                                     "' has no command (argv) in the inventory"));
    }
    if (absl::StatusOr<ConsoleTags> tags = ReadConsoleTags(tentacle.entry()); !tags.ok()) {
      return tags.status();  // before anything starts
    }
    const std::string dir = tentacle.runtime().at("state_dir");
    tentacle.set_console(absl::StrCat(dir, "/tty"));
    // The flashed image lives where it outlives the campaign when it can: an emulated board
    // keeps its firmware, as a real one keeps its flash (flash-skip by version, --flash_skip).
    auto kept = tentacle.runtime().find("persist_dir");
    (*tentacle.mutable_runtime())["firmware"] =
        absl::StrCat(kept != tentacle.runtime().end() ? kept->second : dir, "/firmware");
    (*tentacle.mutable_runtime())["log"] = absl::StrCat(dir, "/relay.log");
    *response.add_tentacles() = std::move(tentacle);
  }
  return response;
}

absl::StatusOr<proto::Tentacle> ExecPtyDriver::Start(const proto::Tentacle& tentacle) {
  absl::StatusOr<ConsoleTags> tags = ReadConsoleTags(tentacle.entry());
  if (!tags.ok()) return tags.status();
  if (RunningProcess(tentacle).ok()) return tentacle;
  absl::StatusOr<std::string> firmware = RuntimeField(tentacle, "firmware");
  if (!firmware.ok()) return firmware.status();
  absl::StatusOr<std::string> log = RuntimeField(tentacle, "log");
  if (!log.ok()) return log.status();
  const proto::InventoryEntry& entry = tentacle.entry();
  if (UsesFirmware(entry) && !fs::exists(*firmware)) {
    auto initial = entry.tags().find("firmware");
    if (initial == entry.tags().end()) {
      // Nothing to run until the first flash, which starts the command (a blank board).
      proto::Tentacle blank = tentacle;
      blank.set_state("unflashed");
      return blank;
    }
    if (absl::Status status = report::CopyFileAtomically(initial->second, *firmware);
        !status.ok()) {
      return status;
    }
  }
  absl::StatusOr<std::vector<std::string>> command =
      ExpandArgv({entry.command().begin(), entry.command().end()},
                 {{"firmware", *firmware}, {"port", tentacle.console()}},
                 absl::StrCat("execpty tentacle '", entry.label(), "' command"));
  if (!command.ok()) return command.status();
  std::vector<std::string> argv = {relay_, absl::StrCat("--link=", tentacle.console())};
  if (tags->console == "announced") {
    // An emulator (qemu -serial pty): paused while nobody uses the board, since an idle qemu
    // MPS2 board spins at a whole core.
    argv.insert(argv.end(), {"--announced_pty", "--pause_when_unwatched=1s"});
  }
  if (tags->line_ends == "unix") argv.push_back("--unix_line_ends");
  argv.push_back("--");
  argv.insert(argv.end(), command->begin(), command->end());
  absl::StatusOr<proto::Tentacle> started =
      StartTentacleProcess(tentacle, argv, *log, kStartTimeout);
  if (started.ok()) started->set_state("idle");
  return started;
}

absl::Status ExecPtyDriver::PowerCycle(const proto::Tentacle& tentacle) {
  return PowerCycleTentacleProcess(tentacle);
}

absl::Status ExecPtyDriver::Flash(const proto::FlashRequest& request) {
  const proto::Tentacle& tentacle = request.tentacle();
  absl::StatusOr<std::string> firmware = RuntimeField(tentacle, "firmware");
  if (!firmware.ok()) return firmware.status();
  if (absl::Status status = report::CopyFileAtomically(request.firmware().path(), *firmware);
      !status.ok()) {
    return status;
  }
  std::ofstream log;
  if (!request.log_path().empty()) log.open(request.log_path(), std::ios::app);
  log << "copied " << request.firmware().path() << " to " << *firmware << "\n";
  if (absl::StatusOr<pid_t> pid = RunningProcess(tentacle); pid.ok()) {
    if (absl::Status status = firmware::PowerCycleBoard(*pid); !status.ok()) return status;
  } else {
    // Not running (a blank board, or stopped): start the command on the new image.
    absl::StatusOr<proto::Tentacle> started = Start(tentacle);
    if (!started.ok()) return started.status();
  }
  absl::Time deadline = absl::Now() + kAnswerTimeout;
  absl::Status last = absl::DeadlineExceededError("no attempt");
  while (absl::Now() < deadline) {
    absl::StatusOr<std::unique_ptr<repl::RawReplClient>> client =
        repl::RawReplClient::OpenBoard(tentacle.console(), tentacle.board());
    last = client.ok() ? (*client)->EnterRawRepl(std::min(deadline, absl::Now() + absl::Seconds(3)))
                       : client.status();
    if (last.ok()) {
      absl::StatusOr<repl::BoardVersion> version = (*client)->ReadVersion(deadline);
      if (version.ok()) log << "board reports " << version->sys_version << "\n";
      (void)(*client)->ExitRawRepl(std::min(deadline, absl::Now() + absl::Seconds(2)));
      return absl::OkStatus();
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  log << "no answer after flashing: " << last << "\n";
  return absl::Status(last.code(), absl::StrCat("execpty tentacle '", tentacle.entry().label(),
                                                "': no raw REPL after flashing: ", last.message()));
}

absl::Status ExecPtyDriver::Stop(const proto::Tentacle& tentacle) {
  return StopTentacleProcess(tentacle);
}

}  // namespace mptest::boards
