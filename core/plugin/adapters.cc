// Host-side adapters from the C plugin ABI to the C++ interfaces: see adapters.h.
#include "core/plugin/adapters.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "core/bus/event_sender.h"
#include "core/plugin/loader.h"
#include "core/proto/board_variant.h"
#include "google/protobuf/message_lite.h"

namespace mptest::plugin {
namespace {

using PluginFunction = mptest_plugin_status (*)(const char*, size_t, mptest_plugin_output*);

void AppendToString(void* host_context, const char* data, size_t size) {
  static_cast<std::string*>(host_context)->append(data, size);
}

absl::StatusCode ToStatusCode(mptest_plugin_status code) {
  if (code > 0 && code <= static_cast<int>(absl::StatusCode::kUnauthenticated)) {
    return static_cast<absl::StatusCode>(code);
  }
  return absl::StatusCode::kUnknown;
}

// "plugin 'execpty' (libexecpty.so) Flash on q001-MPS2_AN385": how errors name a call, with the
// tentacles (or board) it is `on` when it has any. The file name, not the path: a built-in
// plugin's path is deep in Bazel's cache; `mptest plugins` lists the full paths.
std::string DescribeCall(const LoadedPlugin& plugin, const char* method, absl::string_view on) {
  const size_t slash = plugin.path().rfind('/');
  return absl::StrCat("plugin '", plugin.name(), "' (",
                      slash == std::string::npos ? plugin.path() : plugin.path().substr(slash + 1),
                      ") ", method, on.empty() ? "" : " on ", on);
}

// Calls `function` with the serialized request. On success parses the output into `response`
// (when not null). While it runs, the call is this process's activity (bus::ScopedActivity), so
// that a crash or a deadline inside the plugin names it, with the tentacles it is `on`.
absl::Status CallPlugin(const LoadedPlugin& plugin, const char* method, PluginFunction function,
                        const google::protobuf::MessageLite& request,
                        google::protobuf::MessageLite* response, absl::string_view on = "") {
  const std::string call = DescribeCall(plugin, method, on);
  bus::ScopedActivity activity(call);
  const std::string bytes = request.SerializeAsString();
  std::string output;
  mptest_plugin_output out{&output, &AppendToString};
  mptest_plugin_status code = function(bytes.data(), bytes.size(), &out);
  if (code != MPTEST_PLUGIN_OK) {
    return absl::Status(ToStatusCode(code),
                        absl::StrCat(call, ": ", output.empty() ? "no message" : output));
  }
  if (response != nullptr && !response->ParseFromString(output)) {
    return absl::InternalError(absl::StrCat(call, " returned ", output.size(),
                                            " bytes that are not a valid ",
                                            response->GetTypeName()));
  }
  return absl::OkStatus();
}

template <typename Response>
absl::StatusOr<Response> CallForResponse(const LoadedPlugin& plugin, const char* method,
                                         PluginFunction function,
                                         const google::protobuf::MessageLite& request,
                                         absl::string_view on = "") {
  Response response;
  absl::Status status = CallPlugin(plugin, method, function, request, &response, on);
  if (!status.ok()) return status;
  return response;
}

class BuilderAdapter : public Builder {
 public:
  explicit BuilderAdapter(std::shared_ptr<const LoadedPlugin> plugin)
      : plugin_(std::move(plugin)), table_(*plugin_->descriptor().builder) {}

  absl::StatusOr<proto::Firmware> Build(const proto::BuildRequest& request) override {
    // The plugin's report_build calls during this Build are this builder's reports. (One Build
    // at a time per process: each build has a job of its own, or runs inline alone.)
    SetPluginBuildReporter(
        [this](const proto::BuildProgress& progress) { ReportProgress(progress); });
    absl::StatusOr<proto::Firmware> firmware = CallForResponse<proto::Firmware>(
        *plugin_, "Build", table_.build, request,
        BoardVariantName(request.board().name(), request.variant()));
    SetPluginBuildReporter(nullptr);
    return firmware;
  }

 private:
  std::shared_ptr<const LoadedPlugin> plugin_;
  const mptest_plugin_builder& table_;
};

class BoardDriverAdapter : public BoardDriver {
 public:
  explicit BoardDriverAdapter(std::shared_ptr<const LoadedPlugin> plugin)
      : plugin_(std::move(plugin)), table_(*plugin_->descriptor().board_driver) {}

  absl::StatusOr<proto::DiscoverResponse> Discover(const proto::DiscoverRequest& request) override {
    return CallForResponse<proto::DiscoverResponse>(*plugin_, "Discover", table_.discover, request);
  }
  absl::StatusOr<proto::Tentacle> Start(const proto::Tentacle& tentacle) override {
    return CallForResponse<proto::Tentacle>(*plugin_, "Start", table_.start, tentacle,
                                            tentacle.entry().label());
  }
  absl::Status PowerCycle(const proto::Tentacle& tentacle) override {
    return CallPlugin(*plugin_, "PowerCycle", table_.power_cycle, tentacle, nullptr,
                      tentacle.entry().label());
  }
  absl::Status Flash(const proto::FlashRequest& request) override {
    return CallPlugin(*plugin_, "Flash", table_.flash, request, nullptr,
                      request.tentacle().entry().label());
  }
  absl::Status Stop(const proto::Tentacle& tentacle) override {
    return CallPlugin(*plugin_, "Stop", table_.stop, tentacle, nullptr, tentacle.entry().label());
  }
  absl::StatusOr<std::string> ReadVersion(const proto::Tentacle& tentacle) override {
    if (table_.read_version == nullptr) return BoardDriver::ReadVersion(tentacle);  // optional
    absl::StatusOr<proto::BoardIdentity> answer = CallForResponse<proto::BoardIdentity>(
        *plugin_, "ReadVersion", table_.read_version, tentacle, tentacle.entry().label());
    if (!answer.ok()) return answer.status();
    return answer->identity();
  }

 private:
  std::shared_ptr<const LoadedPlugin> plugin_;
  const mptest_plugin_board_driver& table_;
};

class HarnessAdapter : public Harness {
 public:
  explicit HarnessAdapter(std::shared_ptr<const LoadedPlugin> plugin)
      : plugin_(std::move(plugin)), table_(*plugin_->descriptor().harness) {}

  absl::StatusOr<proto::HarnessResult> Run(const proto::HarnessRequest& request) override {
    // The plugin's report_test calls during this Run are this harness's reports. (One Run at a
    // time per process: each test run has a child of its own, or runs inline alone.)
    SetPluginTestReporter([this](const proto::TestProgress& progress) { ReportTest(progress); });
    std::vector<std::string> labels;
    for (const proto::Tentacle& tentacle : request.tentacles()) {
      labels.push_back(tentacle.entry().label());
    }
    absl::StatusOr<proto::HarnessResult> result = CallForResponse<proto::HarnessResult>(
        *plugin_, "Run", table_.run, request, absl::StrJoin(labels, ", "));
    SetPluginTestReporter(nullptr);
    return result;
  }

 private:
  std::shared_ptr<const LoadedPlugin> plugin_;
  const mptest_plugin_harness& table_;
};

}  // namespace

std::unique_ptr<Builder> NewBuilderAdapter(std::shared_ptr<const LoadedPlugin> plugin) {
  if (plugin == nullptr || plugin->descriptor().builder == nullptr) return nullptr;
  return std::make_unique<BuilderAdapter>(std::move(plugin));
}

std::unique_ptr<BoardDriver> NewBoardDriverAdapter(std::shared_ptr<const LoadedPlugin> plugin) {
  if (plugin == nullptr || plugin->descriptor().board_driver == nullptr) return nullptr;
  return std::make_unique<BoardDriverAdapter>(std::move(plugin));
}

std::unique_ptr<Harness> NewHarnessAdapter(std::shared_ptr<const LoadedPlugin> plugin) {
  if (plugin == nullptr || plugin->descriptor().harness == nullptr) return nullptr;
  return std::make_unique<HarnessAdapter>(std::move(plugin));
}

}  // namespace mptest::plugin
