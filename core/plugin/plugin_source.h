// RegistryPluginSource: the scheduler's sched::PluginSource backed by the plugin registry, so the
// scheduler gets plugins by name exactly as it gets its built-ins and fakes.
//
//   PluginRegistry registry = PluginRegistry::Load(SearchOptionsFromFlags(argv[0]));
//   RegistryPluginSource plugins(&registry);              // or (&registry, &stand_ins)
//   absl::StatusOr<BoardDriver*> driver = plugins.GetDriver("virtual");
//
// One instance per name, created on first use and owned by the source. Names the registry has
// never heard of go to the optional fallback source (compiled-in stand-ins); a plugin that was
// found but rejected is an error, never silently replaced. Thread-safe.
#ifndef MPTEST_CORE_PLUGIN_PLUGIN_SOURCE_H_
#define MPTEST_CORE_PLUGIN_PLUGIN_SOURCE_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/plugin/registry.h"
#include "core/sched/plugins.h"

namespace mptest::plugin {

class RegistryPluginSource : public sched::PluginSource {
 public:
  // `registry` (and `fallback`, if any) must outlive this source.
  explicit RegistryPluginSource(const PluginRegistry* registry,
                                sched::PluginSource* fallback = nullptr)
      : registry_(registry), fallback_(fallback) {}

  absl::StatusOr<Builder*> GetBuilder(const std::string& name) override;
  absl::StatusOr<BoardDriver*> GetDriver(const std::string& type) override;
  absl::StatusOr<Harness*> GetHarness(const std::string& name) override;
  // The identity the board reports: its driver's own probe (BoardDriver::ReadVersion, the ABI's
  // optional read_version) when it has one, else the raw-REPL probe on its console
  // (repl::ProbeVersion); the fallback's answer for the fallback's tentacle types.
  absl::StatusOr<std::string> ReadVersion(const proto::Tentacle& tentacle) override;

 private:
  bool UseFallback(const std::string& name) const;

  const PluginRegistry* registry_;
  sched::PluginSource* fallback_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Builder>> builders_;
  std::map<std::string, std::unique_ptr<BoardDriver>> drivers_;
  std::map<std::string, std::unique_ptr<Harness>> harnesses_;
};

}  // namespace mptest::plugin

#endif  // MPTEST_CORE_PLUGIN_PLUGIN_SOURCE_H_
