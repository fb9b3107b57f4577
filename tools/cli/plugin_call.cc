// `mptest plugin-call` (see plugin_call.h).
#include "tools/cli/plugin_call.h"

#include <stdio.h>

#include <algorithm>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/process/pcall.h"
#include "core/sched/config.h"
#include "google/protobuf/text_format.h"

namespace mptest::cli {
namespace {

// What one method takes and how it is called: `call` runs in the child, with the parsed request.
struct Method {
  std::function<std::unique_ptr<google::protobuf::Message>()> new_request;
  std::function<absl::StatusOr<std::string>(CliPlugins&, const std::string& name,
                                            const google::protobuf::Message& request)>
      call;
  const char* kind;  // "board driver", "builder", "harness"
};

std::string Text(const google::protobuf::Message& message) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(message, &text);
  return text;
}

template <typename Response>
absl::StatusOr<std::string> TextOf(absl::StatusOr<Response> response) {
  if (!response.ok()) return response.status();
  return Text(*response);
}

absl::StatusOr<std::string> NoResponse(const absl::Status& status) {
  if (!status.ok()) return status;
  return std::string();
}

template <typename Request>
std::function<std::unique_ptr<google::protobuf::Message>()> Make() {
  return [] { return std::make_unique<Request>(); };
}

// Calls `fn` on the plugin `name` of the kind `Get` finds (GetDriver, GetBuilder, GetHarness),
// with the request as `Request`.
template <typename Request, typename Plugin, typename Fn>
Method MethodOf(const char* kind, absl::StatusOr<Plugin*> (CliPlugins::*get)(const std::string&),
                Fn fn) {
  return {Make<Request>(),
          [get, fn](CliPlugins& plugins, const std::string& name,
                    const google::protobuf::Message& request) -> absl::StatusOr<std::string> {
            absl::StatusOr<Plugin*> plugin = (plugins.*get)(name);
            if (!plugin.ok()) return plugin.status();
            return fn(plugins, **plugin, static_cast<const Request&>(request));
          },
          kind};
}

template <typename Request, typename Fn>
Method DriverMethod(Fn fn) {
  return MethodOf<Request>("board driver", &CliPlugins::GetDriver,
                           [fn](CliPlugins&, BoardDriver& driver, const Request& request) {
                             return fn(driver, request);
                           });
}

const std::map<std::string, Method>& Methods() {
  static const auto* methods = new std::map<std::string, Method>{
      {"Discover",
       DriverMethod<proto::DiscoverRequest>(
           [](BoardDriver& d, const proto::DiscoverRequest& r) { return TextOf(d.Discover(r)); })},
      {"Start", DriverMethod<proto::Tentacle>(
                    [](BoardDriver& d, const proto::Tentacle& t) { return TextOf(d.Start(t)); })},
      {"Stop", DriverMethod<proto::Tentacle>(
                   [](BoardDriver& d, const proto::Tentacle& t) { return NoResponse(d.Stop(t)); })},
      {"PowerCycle", DriverMethod<proto::Tentacle>([](BoardDriver& d, const proto::Tentacle& t) {
         return NoResponse(d.PowerCycle(t));
       })},
      {"Flash", DriverMethod<proto::FlashRequest>([](BoardDriver& d, const proto::FlashRequest& r) {
         return NoResponse(d.Flash(r));
       })},
      {"Version", MethodOf<proto::Tentacle>(
                      "board driver", &CliPlugins::GetDriver,
                      [](CliPlugins& plugins, BoardDriver&,
                         const proto::Tentacle& tentacle) -> absl::StatusOr<std::string> {
                        absl::StatusOr<std::string> identity = plugins.ReadVersion(tentacle);
                        if (!identity.ok()) return identity.status();
                        return absl::StrCat("# the identity the board reports\n\"", *identity,
                                            "\"\n");
                      })},
      {"Build", MethodOf<proto::BuildRequest>(
                    "builder", &CliPlugins::GetBuilder,
                    [](CliPlugins&, Builder& builder, const proto::BuildRequest& request) {
                      return TextOf(builder.Build(request));
                    })},
      {"Run", MethodOf<proto::HarnessRequest>(
                  "harness", &CliPlugins::GetHarness,
                  [](CliPlugins&, Harness& harness, const proto::HarnessRequest& request) {
                    return TextOf(harness.Run(request));
                  })},
  };
  return *methods;
}

// The plugin `name` provides the kind `method` needs: checked in this process, before the call.
absl::Status CheckPlugin(CliPlugins& plugins, const std::string& name, const Method& method) {
  absl::Status status;
  const std::string kind = method.kind;
  if (kind == "board driver") status = plugins.GetDriver(name).status();
  if (kind == "builder") status = plugins.GetBuilder(name).status();
  if (kind == "harness") status = plugins.GetHarness(name).status();
  if (status.ok()) return status;
  return absl::InvalidArgumentError(
      absl::StrCat("plugin-call: no usable ", kind, " '", name, "': ", status.message()));
}

absl::Status ReadRequest(const std::string& path, google::protobuf::Message* request) {
  if (path.empty()) return absl::OkStatus();
  if (path == "-") {
    const std::string text((std::istreambuf_iterator<char>(std::cin)),
                           std::istreambuf_iterator<char>());
    return sched::ParseTextProto("<stdin>", text, request);
  }
  return sched::LoadTextProto(path, request);
}

// A sequence of board-driver calls on one tentacle, in one child (a board a driver starts lives
// as long as the call): Start, Version, PowerCycle, Flash and Stop, the tentacle each returns
// (Start) passed on. The request is a FlashRequest when Flash is among them, else a Tentacle.
bool IsSequenceMethod(const std::string& method) {
  return method == "Start" || method == "Version" || method == "PowerCycle" || method == "Flash" ||
         method == "Stop";
}

absl::StatusOr<std::string> RunSequence(CliPlugins& plugins, const std::string& name,
                                        const std::vector<std::string>& methods,
                                        const google::protobuf::Message& request) {
  proto::FlashRequest flash;
  if (const auto* given = dynamic_cast<const proto::FlashRequest*>(&request)) {
    flash = *given;
  } else {
    *flash.mutable_tentacle() = static_cast<const proto::Tentacle&>(request);
  }
  std::string out;
  for (const std::string& method : methods) {
    const google::protobuf::Message& input =
        method == "Flash" ? static_cast<const google::protobuf::Message&>(flash)
                          : static_cast<const google::protobuf::Message&>(flash.tentacle());
    absl::StatusOr<std::string> response = Methods().at(method).call(plugins, name, input);
    if (!response.ok()) {  // what the calls before it answered, then its error
      return absl::Status(response.status().code(), absl::StrCat(out, response.status().message()));
    }
    absl::StrAppend(&out, "# ", method, ": OK\n", *response);
    if (method == "Start") {
      proto::Tentacle started;
      if (!google::protobuf::TextFormat::ParseFromString(*response, &started)) {
        return absl::InternalError("plugin-call: Start's response does not parse back");
      }
      *flash.mutable_tentacle() = started;
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> CallPluginMethod(CliPlugins& plugins, const std::string& name,
                                             const std::string& method_list,
                                             const std::string& request_path,
                                             absl::Duration timeout) {
  const std::vector<std::string> methods = absl::StrSplit(method_list, ',');
  for (const std::string& method : methods) {
    if (Methods().count(method) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("plugin-call: unknown method '", method, "' (one of ",
                       absl::StrJoin(PluginCallMethods(), ", "), ")"));
    }
    if (methods.size() > 1 && !IsSequenceMethod(method)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "plugin-call: '", method_list, "': only Start, Version, PowerCycle, Flash and Stop ",
          "make a sequence (", method, " is called alone)"));
    }
  }
  const bool flashes = std::count(methods.begin(), methods.end(), "Flash") > 0;
  const Method& first = Methods().at(methods.size() > 1 && flashes ? "Flash" : methods.front());
  std::unique_ptr<google::protobuf::Message> request = first.new_request();
  if (absl::Status status = ReadRequest(request_path, request.get()); !status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("plugin-call: ", status.message()));
  }
  if (absl::Status status = CheckPlugin(plugins, name, first); !status.ok()) return status;

  process::PcallOptions options;
  options.context = process::Context::kFork;
  options.timeout = timeout;
  options.child_logs = false;
  options.task = "plugin-call";
  const std::string target = absl::StrCat("plugin '", name, "' ", method_list);
  absl::StatusOr<std::vector<absl::StatusOr<std::string>>> results =
      process::pcall(process::Named(target,
                                    [&]() -> absl::StatusOr<std::string> {
                                      if (methods.size() > 1) {
                                        return RunSequence(plugins, name, methods, *request);
                                      }
                                      return first.call(plugins, name, *request);
                                    }),
                     options);
  if (!results.ok()) {  // the child crashed, exited, hung or was interrupted
    std::optional<process::ChildProcessError> error =
        process::GetChildProcessError(results.status());
    return absl::Status(results.status().code(),
                        error ? error->Summary() : std::string(results.status().message()));
  }
  absl::StatusOr<std::string> response = results->front();
  // Errors the plugin's adapter did not name (the version probe's): name the call.
  if (!response.ok() && !absl::StartsWith(response.status().message(), "plugin '")) {
    return absl::Status(response.status().code(),
                        absl::StrCat(target, ": ", response.status().message()));
  }
  return response;
}

const std::vector<std::string>& PluginCallMethods() {
  static const auto* names = new std::vector<std::string>{
      "Discover", "Start", "Stop", "PowerCycle", "Flash", "Version", "Build", "Run"};
  return *names;
}

int RunPluginCall(CliPlugins& plugins, const std::vector<std::string>& args,
                  absl::Duration timeout) {
  if (args.size() < 2 || args.size() > 3) {
    std::fprintf(stderr,
                 "mptest: plugin-call: usage: mptest plugin-call NAME METHOD [REQUEST]\n"
                 "  METHOD: %s; REQUEST: a textproto file of the method's request, - for stdin\n",
                 absl::StrJoin(PluginCallMethods(), ", ").c_str());
    return 2;
  }
  absl::StatusOr<std::string> response =
      CallPluginMethod(plugins, args[0], args[1], args.size() == 3 ? args[2] : "", timeout);
  if (!response.ok()) {
    std::fprintf(stderr, "mptest: %s\n", std::string(response.status().message()).c_str());
    return absl::IsInvalidArgument(response.status()) &&
                   absl::StartsWith(response.status().message(), "plugin-call: ")
               ? 2
               : 3;
  }
  std::fputs(response->empty() ? absl::StrCat("# ", args[1], ": OK\n").c_str() : response->c_str(),
             stdout);
  return 0;
}

}  // namespace mptest::cli
