// The virtual tentacle type (see virtual_driver.h).
#include "plugins/boards/virtual/virtual_driver.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "core/repl/raw_repl_client.h"
#include "core/report/atomic_file.h"
#include "firmware/image.h"
#include "firmware/launcher.h"
#include "plugins/boards/driver_util.h"

namespace mptest::boards {
namespace {

namespace fs = std::filesystem;

constexpr absl::Duration kBootCheck = absl::Seconds(10);

std::string Console(const std::string& state_dir) { return absl::StrCat(state_dir, "/tty"); }

}  // namespace

VirtualBoardDriver::VirtualBoardDriver()
    : binary_(
          FindHelperProgram("MPTEST_VIRTUAL_BOARD", "virtual_board", "firmware/virtual_board")) {}

VirtualBoardDriver::VirtualBoardDriver(std::string board_binary)
    : binary_(std::move(board_binary)) {}

absl::Status VirtualBoardDriver::Initialize() {
  if (binary_.empty()) {
    return absl::NotFoundError(
        "virtual driver: cannot find the virtual_board program; set MPTEST_VIRTUAL_BOARD");
  }
  return absl::OkStatus();
}

absl::StatusOr<proto::DiscoverResponse> VirtualBoardDriver::Discover(
    const proto::DiscoverRequest& request) {
  absl::StatusOr<std::vector<proto::Tentacle>> tentacles = ResolveEntries(request, "virtual");
  if (!tentacles.ok()) return tentacles.status();
  proto::DiscoverResponse response;
  for (proto::Tentacle& tentacle : *tentacles) {
    const std::string dir = tentacle.runtime().at("state_dir");
    tentacle.set_console(Console(dir));
    (*tentacle.mutable_runtime())["flash"] = absl::StrCat(dir, "/flash.vimg");
    (*tentacle.mutable_runtime())["log"] = absl::StrCat(dir, "/board.log");
    *response.add_tentacles() = std::move(tentacle);
  }
  return response;
}

absl::StatusOr<proto::Tentacle> VirtualBoardDriver::Start(const proto::Tentacle& tentacle) {
  if (RunningProcess(tentacle).ok()) return tentacle;
  absl::StatusOr<std::string> flash = RuntimeField(tentacle, "flash");
  if (!flash.ok()) return flash.status();
  absl::StatusOr<std::string> log = RuntimeField(tentacle, "log");
  if (!log.ok()) return log.status();
  if (!fs::exists(*flash)) {
    firmware::VirtualImage factory;
    factory.board = tentacle.board().name();
    factory.version = kFactoryVersion;
    factory.date = "2026-01-01";
    if (absl::Status status = firmware::WriteImageFile(*flash, factory); !status.ok()) {
      return status;
    }
  }
  firmware::LaunchOptions options;
  options.binary = binary_;
  options.board = tentacle.board().name();
  options.flash_path = *flash;
  options.link_path = tentacle.console();
  options.log_path = *log;
  options.faults = tentacle.entry().faults();
  options.detach = true;
  absl::StatusOr<firmware::LaunchedBoard> launched = firmware::LaunchBoard(options);
  if (!launched.ok()) {
    return absl::Status(
        launched.status().code(),
        absl::StrCat("tentacle '", tentacle.entry().label(), "': ", launched.status().message()));
  }
  proto::Tentacle started = tentacle;
  (*started.mutable_runtime())["pid"] = absl::StrCat(launched->pid);
  started.set_state("idle");
  return started;
}

absl::Status VirtualBoardDriver::PowerCycle(const proto::Tentacle& tentacle) {
  return PowerCycleTentacleProcess(tentacle);
}

absl::Status VirtualBoardDriver::Flash(const proto::FlashRequest& request) {
  const proto::Tentacle& tentacle = request.tentacle();
  absl::StatusOr<pid_t> pid = RunningProcess(tentacle);
  if (!pid.ok()) return pid.status();
  absl::StatusOr<std::string> flash = RuntimeField(tentacle, "flash");
  if (!flash.ok()) return flash.status();
  std::ofstream log;
  if (!request.log_path().empty()) log.open(request.log_path(), std::ios::app);
  // A corrupt or foreign image is written all the same (as a real programmer would), which
  // leaves the board unbootable until it is flashed again.
  absl::Status unbootable;
  absl::StatusOr<firmware::VirtualImage> image = firmware::ReadImageFile(request.firmware().path());
  if (!image.ok()) {
    unbootable = image.status();
  } else if (image->board != tentacle.board().name()) {
    unbootable = absl::InvalidArgumentError(
        absl::StrCat("the image is for board ", image->board, ", not ", tentacle.board().name()));
  }
  if (tentacle.entry().faults().fail_flash()) {  // VirtualFaults.fail_flash: the soak's knob
    log << "programmer failed (VirtualFaults.fail_flash); nothing written\n";
    return absl::UnavailableError(
        absl::StrCat("tentacle '", tentacle.entry().label(), "': the programmer failed to write ",
                     request.firmware().path(), " (VirtualFaults.fail_flash)"));
  }
  if (!unbootable.ok()) log << "warning: " << unbootable << "; writing it anyway\n";
  if (absl::Status status = report::CopyFileAtomically(request.firmware().path(), *flash);
      !status.ok()) {
    return status;
  }
  log << "wrote " << request.firmware().path() << " to " << *flash << "; power cycling\n";
  if (absl::Status status = firmware::PowerCycleBoard(*pid); !status.ok()) return status;
  if (!unbootable.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "tentacle '", tentacle.entry().label(), "': flashed ", request.firmware().path(),
        ", which cannot boot (the board stays unbootable"
        " until flashed again): ",
        unbootable.message()));
  }

  // Post-flash check: the board must boot the image and report its version.
  absl::Time deadline =
      absl::Now() + kBootCheck + absl::Seconds(tentacle.entry().faults().boot_delay_s());
  absl::Status last = absl::DeadlineExceededError("no attempt");
  while (absl::Now() < deadline) {
    absl::StatusOr<std::unique_ptr<repl::RawReplClient>> client =
        repl::RawReplClient::Open(tentacle.console());
    if (client.ok()) {
      absl::Time attempt = std::min(deadline, absl::Now() + absl::Seconds(2));
      last = (*client)->EnterRawRepl(attempt);
      if (last.ok()) {
        absl::StatusOr<repl::BoardVersion> version = (*client)->ReadVersion(attempt);
        if (version.ok() && version->identity == request.firmware().version()) {
          log << "board reports " << version->identity << "\n";
          return absl::OkStatus();
        }
        last = version.ok() ? absl::FailedPreconditionError(
                                  absl::StrCat("board reports version '", version->identity,
                                               "', expected '", request.firmware().version(), "'"))
                            : version.status();
      }
    } else {
      last = client.status();
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  log << "post-flash check failed: " << last << "\n";
  return absl::Status(
      last.code(),
      absl::StrCat("tentacle '", tentacle.entry().label(), "': flashed ", request.firmware().path(),
                   " but the board did not boot it: ", last.message()));
}

absl::Status VirtualBoardDriver::Stop(const proto::Tentacle& tentacle) {
  return StopTentacleProcess(tentacle);
}

}  // namespace mptest::boards
