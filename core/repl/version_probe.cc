// ProbeVersion over the raw-REPL client: see version_probe.h.
#include "core/repl/version_probe.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/bus/event_sender.h"
#include "core/repl/raw_repl_client.h"

namespace mptest::repl {

absl::StatusOr<std::string> ProbeVersion(const proto::Tentacle& tentacle, absl::Duration timeout) {
  if (tentacle.console().empty()) {
    return absl::UnavailableError(absl::StrCat(tentacle.entry().label(), ": no console"));
  }
  // A board that hangs the probe is named by it when the run's deadline kills the process.
  bus::ScopedActivity activity(
      absl::StrCat("the version probe over the raw REPL on ", tentacle.entry().label()));
  absl::StatusOr<std::unique_ptr<RawReplClient>> client =
      RawReplClient::OpenBoard(tentacle.console(), tentacle.board());
  if (!client.ok()) return client.status();
  const absl::Time deadline = absl::Now() + timeout;
  if (absl::Status status = (*client)->EnterRawRepl(deadline); !status.ok()) return status;
  absl::StatusOr<BoardVersion> version = (*client)->ReadVersion(deadline);
  (void)(*client)->ExitRawRepl(deadline);  // leave the board at its friendly prompt
  if (!version.ok()) return version.status();
  return version->identity;
}

}  // namespace mptest::repl
