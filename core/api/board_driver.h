// BoardDriver: the interface of a tentacle type (virtual, execpty, serial, ...).
#ifndef MPTEST_CORE_API_BOARD_DRIVER_H_
#define MPTEST_CORE_API_BOARD_DRIVER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/proto/tentacle.pb.h"

namespace mptest {

// Drives one type of tentacle. Every call is self-contained: state that must survive between
// calls (a board process's pid, a state directory) lives in Tentacle.runtime, which the
// scheduler keeps and passes back. Calls may come from different processes (the scheduler
// forks a child per test run), so an implementation must not keep per-tentacle state in memory.
class BoardDriver {
 public:
  virtual ~BoardDriver() = default;

  // Resolves the inventory entries of this type into tentacles: finds their ports, checks
  // that each board exists. An entry that cannot be found is an error naming its label.
  virtual absl::StatusOr<proto::DiscoverResponse> Discover(
      const proto::DiscoverRequest& request) = 0;

  // Brings the tentacle up (starts a virtual board, powers a real one) so that
  // tentacle.console answers. Returns the tentacle with console and runtime filled in.
  virtual absl::StatusOr<proto::Tentacle> Start(const proto::Tentacle& tentacle) = 0;

  // Power-cycles the board (a hard reset). Optional: a driver that cannot leaves it out, and
  // the call answers UNIMPLEMENTED.
  virtual absl::Status PowerCycle(const proto::Tentacle& tentacle) {
    return absl::UnimplementedError(absl::StrCat("tentacle '", tentacle.entry().label(),
                                                 "': its board driver cannot power-cycle it"));
  }

  // Optional: the identity the board reports (core/repl/firmware_identity.h), for boards whose
  // version is not read over the raw REPL. The default answers UNIMPLEMENTED, and mptest then
  // probes the board's console itself.
  virtual absl::StatusOr<std::string> ReadVersion(const proto::Tentacle& tentacle) {
    return absl::UnimplementedError(absl::StrCat("tentacle '", tentacle.entry().label(),
                                                 "': its board driver has no version probe"));
  }

  // Writes firmware to the board and leaves it booted into it.
  virtual absl::Status Flash(const proto::FlashRequest& request) = 0;

  // Powers the board off / ends its processes. Idempotent.
  virtual absl::Status Stop(const proto::Tentacle& tentacle) = 0;
};

}  // namespace mptest

#endif  // MPTEST_CORE_API_BOARD_DRIVER_H_
