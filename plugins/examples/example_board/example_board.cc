// The example board driver: see example_board.h.
#include "example_board.h"  // beside this file: the example also builds outside the workspace

#include <cstdio>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "firmware/launcher.h"

namespace mptest::examples {
namespace {

// Keys of Tentacle.runtime this driver owns.
constexpr char kPid[] = "pid";
constexpr char kFlash[] = "flash";
constexpr char kLog[] = "log";

// A value Discover put into Tentacle.runtime.
absl::StatusOr<std::string> RuntimeValue(const proto::Tentacle& tentacle, const char* key) {
  auto found = tentacle.runtime().find(key);
  if (found == tentacle.runtime().end() || found->second.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("tentacle ", tentacle.entry().label(),
                                                   ": runtime[\"", key,
                                                   "\"] is missing (not from Discover?)"));
  }
  return found->second;
}

absl::StatusOr<pid_t> RunningPid(const proto::Tentacle& tentacle) {
  auto found = tentacle.runtime().find(kPid);
  int pid = 0;
  if (found == tentacle.runtime().end() || !absl::SimpleAtoi(found->second, &pid) || pid <= 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("tentacle ", tentacle.entry().label(), " is not started"));
  }
  return static_cast<pid_t>(pid);
}

// Copies `from` to `to` through a temporary file, so a board never boots half an image.
absl::Status CopyAtomically(const std::string& from, const std::string& to) {
  std::ifstream in(from, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read firmware ", from));
  const std::string temporary = to + ".tmp";
  std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
  out << in.rdbuf();
  out.close();
  if (!out || std::rename(temporary.c_str(), to.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot write flash file ", to));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<proto::DiscoverResponse> ExampleBoardDriver::Discover(
    const proto::DiscoverRequest& request) {
  proto::DiscoverResponse response;
  for (const proto::InventoryEntry& entry : request.inventory().tentacles()) {
    if (entry.command().empty()) {
      return absl::InvalidArgumentError(absl::StrCat("inventory entry ", entry.label(),
                                                     ": command must name the board simulator"));
    }
    const proto::BoardDefinition* board = nullptr;
    for (const proto::BoardDefinition& candidate : request.boards()) {
      if (candidate.name() == entry.board()) board = &candidate;
    }
    if (board == nullptr) {
      return absl::NotFoundError(absl::StrCat("inventory entry ", entry.label(), ": board '",
                                              entry.board(), "' is not defined"));
    }
    proto::Tentacle* tentacle = response.add_tentacles();
    *tentacle->mutable_entry() = entry;
    *tentacle->mutable_board() = *board;
    const std::string base = absl::StrCat(request.state_dir(), "/", entry.label());
    tentacle->set_console(base + ".console");
    tentacle->set_state("idle");
    (*tentacle->mutable_runtime())[kFlash] = base + ".flash";
    (*tentacle->mutable_runtime())[kLog] = base + ".log";
  }
  return response;
}

absl::StatusOr<proto::Tentacle> ExampleBoardDriver::Start(const proto::Tentacle& tentacle) {
  absl::StatusOr<std::string> flash = RuntimeValue(tentacle, kFlash);
  absl::StatusOr<std::string> log = RuntimeValue(tentacle, kLog);
  if (!flash.ok()) return flash.status();
  if (!log.ok()) return log.status();
  if (tentacle.entry().command().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("tentacle ", tentacle.entry().label(), ": no simulator command"));
  }
  firmware::LaunchOptions options;
  options.binary = tentacle.entry().command(0);
  options.extra_args.assign(tentacle.entry().command().begin() + 1,
                            tentacle.entry().command().end());
  options.board = tentacle.board().name();
  options.flash_path = *flash;
  options.link_path = tentacle.console();
  options.log_path = *log;
  options.detach = true;  // the board outlives this call; Stop ends it
  absl::StatusOr<firmware::LaunchedBoard> board = firmware::LaunchBoard(options);
  if (!board.ok()) return board.status();
  proto::Tentacle started = tentacle;
  (*started.mutable_runtime())[kPid] = absl::StrCat(board->pid);
  started.set_state("ready");
  return started;
}

absl::Status ExampleBoardDriver::PowerCycle(const proto::Tentacle& tentacle) {
  absl::StatusOr<pid_t> pid = RunningPid(tentacle);
  if (!pid.ok()) return pid.status();
  return firmware::PowerCycleBoard(*pid);
}

absl::Status ExampleBoardDriver::Flash(const proto::FlashRequest& request) {
  const proto::Tentacle& tentacle = request.tentacle();
  absl::StatusOr<std::string> flash = RuntimeValue(tentacle, kFlash);
  if (!flash.ok()) return flash.status();
  absl::Status copied = CopyAtomically(request.firmware().path(), *flash);
  if (!copied.ok()) return copied;
  // A running board boots the new image at once; a stopped one boots it at Start.
  absl::StatusOr<pid_t> pid = RunningPid(tentacle);
  return pid.ok() ? firmware::PowerCycleBoard(*pid) : absl::OkStatus();
}

absl::Status ExampleBoardDriver::Stop(const proto::Tentacle& tentacle) {
  absl::StatusOr<pid_t> pid = RunningPid(tentacle);
  if (!pid.ok()) return absl::OkStatus();  // never started: nothing to stop
  return firmware::StopBoard(*pid);
}

}  // namespace mptest::examples
