// The registry as the scheduler's plugin source: see plugin_source.h.
#include "core/plugin/plugin_source.h"

#include "core/repl/version_probe.h"

namespace mptest::plugin {
namespace {

// The cached instance for `name`, created with `create` (a registry call) the first time.
template <typename Interface, typename Create>
absl::StatusOr<Interface*> GetOrCreate(std::map<std::string, std::unique_ptr<Interface>>& cache,
                                       const std::string& name, Create&& create) {
  auto found = cache.find(name);
  if (found != cache.end()) return found->second.get();
  absl::StatusOr<std::unique_ptr<Interface>> instance = create(name);
  if (!instance.ok()) return instance.status();
  Interface* pointer = instance->get();
  cache.emplace(name, *std::move(instance));
  return pointer;
}

}  // namespace

bool RegistryPluginSource::UseFallback(const std::string& name) const {
  return fallback_ != nullptr && absl::IsNotFound(registry_->Check(name));
}

absl::StatusOr<Builder*> RegistryPluginSource::GetBuilder(const std::string& name) {
  if (UseFallback(name)) return fallback_->GetBuilder(name);
  std::lock_guard<std::mutex> lock(mutex_);
  return GetOrCreate(builders_, name,
                     [this](const std::string& n) { return registry_->NewBuilder(n); });
}

absl::StatusOr<BoardDriver*> RegistryPluginSource::GetDriver(const std::string& type) {
  if (UseFallback(type)) return fallback_->GetDriver(type);
  std::lock_guard<std::mutex> lock(mutex_);
  return GetOrCreate(drivers_, type,
                     [this](const std::string& n) { return registry_->NewBoardDriver(n); });
}

absl::StatusOr<Harness*> RegistryPluginSource::GetHarness(const std::string& name) {
  if (UseFallback(name)) return fallback_->GetHarness(name);
  std::lock_guard<std::mutex> lock(mutex_);
  return GetOrCreate(harnesses_, name,
                     [this](const std::string& n) { return registry_->NewHarness(n); });
}

absl::StatusOr<std::string> RegistryPluginSource::ReadVersion(const proto::Tentacle& tentacle) {
  if (UseFallback(tentacle.entry().type())) return fallback_->ReadVersion(tentacle);
  if (absl::StatusOr<BoardDriver*> driver = GetDriver(tentacle.entry().type()); driver.ok()) {
    absl::StatusOr<std::string> identity = (*driver)->ReadVersion(tentacle);
    if (!absl::IsUnimplemented(identity.status())) return identity;
  }
  return repl::ProbeVersion(tentacle);
}

}  // namespace mptest::plugin
