// The CLI's PluginSource: the registry's plugins only (see cli_plugins.h).
#include "tools/cli/cli_plugins.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "core/plugin/flags.h"
#include "core/sched/firmware_bartender.h"
#include "glog/logging.h"

namespace mptest::cli {
namespace {

class FlashOnlyHarness : public Harness {
 public:
  absl::StatusOr<proto::HarnessResult> Run(const proto::HarnessRequest&) override {
    return proto::HarnessResult();
  }
};

plugin::PluginRegistry LoadRegistry(const std::string& argv0) {
  plugin::PluginRegistry registry =
      plugin::PluginRegistry::Load(plugin::SearchOptionsFromFlags(argv0));
  plugin::InProcessPlugin flash_only;
  flash_only.name = kFlashOnlyHarness;
  flash_only.version = "1";
  flash_only.description = "the flash command's harness: runs nothing";
  flash_only.harness = [] { return std::make_unique<FlashOnlyHarness>(); };
  absl::Status added = registry.AddInProcess(std::move(flash_only));
  LOG_IF(WARNING, !added.ok()) << added;  // a plugin of that name on the path wins
  return registry;
}

// "<where>: field <field>: <kind> '<name>' cannot be used: <registry's reason>".
absl::Status Unusable(const std::string& where, const char* field, const char* kind,
                      const std::string& name, const absl::Status& status) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": field ", field, ": ", kind, " '", name,
                                                 "' cannot be used: ", status.message()));
}

}  // namespace

CliPlugins::CliPlugins(const std::string& argv0)
    : registry_(LoadRegistry(argv0)), source_(&registry_) {}

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
  return source_.ReadVersion(tentacle);
}

absl::Status CliPlugins::CheckLab(const sched::LabConfig& lab, const std::string& boards_dir,
                                  const std::string& specs_path) {
  for (const proto::InventoryEntry& entry : lab.inventory.tentacles()) {
    if (absl::StatusOr<BoardDriver*> driver = GetDriver(entry.type()); !driver.ok()) {
      return Unusable(absl::StrCat(lab.inventory_path, ": tentacle '", entry.label(), "'"), "type",
                      "board driver", entry.type(), driver.status());
    }
  }
  for (const proto::InventoryEntry& entry : lab.inventory.tentacles()) {
    const std::string builder = sched::DefaultBuilderName(lab.boards.at(entry.board()));
    if (absl::StatusOr<Builder*> found = GetBuilder(builder); !found.ok()) {
      const bool named = !lab.boards.at(entry.board()).builder().empty();
      return Unusable(absl::StrCat(boards_dir, "/", entry.board(), ".textproto"),
                      named ? "builder" : "port", named ? "builder" : "builder for the port",
                      builder, found.status());
    }
  }
  for (const proto::TestRunSpec& spec : lab.specs) {
    if (absl::StatusOr<Harness*> harness = GetHarness(spec.harness()); !harness.ok()) {
      return Unusable(absl::StrCat(specs_path, ": spec '", spec.label(), "'"), "harness", "harness",
                      spec.harness(), harness.status());
    }
  }
  return absl::OkStatus();
}

}  // namespace mptest::cli
