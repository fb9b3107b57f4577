// The CLI's PluginSource: registry first, stand-ins for unknown names (see cli_plugins.h).
#include "tools/cli/cli_plugins.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/plugin/flags.h"
#include "core/repl/raw_repl_client.h"

namespace mptest::cli {

CliPlugins::CliPlugins(const std::string& argv0)
    : registry_(plugin::PluginRegistry::Load(plugin::SearchOptionsFromFlags(argv0))),
      source_(&registry_, &stand_ins_) {}

absl::StatusOr<Builder*> CliPlugins::GetBuilder(const std::string& name) {
  return source_.GetBuilder(name);
}

absl::StatusOr<BoardDriver*> CliPlugins::GetDriver(const std::string& type) {
  return source_.GetDriver(type);
}

absl::StatusOr<Harness*> CliPlugins::GetHarness(const std::string& name) {
  return source_.GetHarness(name);
}

absl::StatusOr<std::string> CliPlugins::ReadVersion(const proto::Tentacle& tentacle) {
  if (!registry_.Check(tentacle.entry().type()).ok()) return stand_ins_.ReadVersion(tentacle);
  if (tentacle.console().empty()) {
    return absl::UnavailableError(absl::StrCat(tentacle.entry().label(), ": no console"));
  }
  absl::StatusOr<std::unique_ptr<repl::RawReplClient>> client =
      repl::RawReplClient::Open(tentacle.console(), tentacle.board().baud());
  if (!client.ok()) return client.status();
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  if (absl::Status status = (*client)->EnterRawRepl(deadline); !status.ok()) return status;
  absl::StatusOr<repl::BoardVersion> version = (*client)->ReadVersion(deadline);
  (void)(*client)->ExitRawRepl(deadline);  // leave the board at its friendly prompt
  if (!version.ok()) return version.status();
  return version->identity;
}

std::vector<std::string> CliPlugins::Notes(const std::vector<std::string>& builders,
                                           const std::vector<std::string>& drivers,
                                           const std::vector<std::string>& harnesses) const {
  std::vector<std::string> notes;
  auto note = [&](const std::vector<std::string>& names, const char* kind) {
    for (const std::string& name : names) {
      if (!registry_.Check(name).ok()) {
        notes.push_back(absl::StrCat("note: ", kind, " '", name,
                                     "' is not an installed plugin: using the built-in stand-in"));
      }
    }
  };
  note(builders, "builder");
  note(drivers, "board driver");
  note(harnesses, "harness");
  return notes;
}

}  // namespace mptest::cli
