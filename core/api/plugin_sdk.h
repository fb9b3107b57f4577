// plugin_sdk.h: the C++ SDK for plugin authors. Implement mptest::Builder, mptest::BoardDriver
// and/or mptest::Harness, then export them with one macro:
//
//   #include "core/api/plugin_sdk.h"
//
//   class MyBoardDriver : public mptest::BoardDriver {
//     ...  // Discover, Start, PowerCycle, Flash, Stop
//   };
//
//   MPTEST_PLUGIN("my_board", "0.1.0", "Boards on my bench", MyBoardDriver);
//
// The macro defines the plugin's only exported symbol (mptest_plugin_entry, see plugin_abi.h)
// and the C tables that translate each C call into your C++ call: the request bytes are parsed
// into the core/proto message, your method runs, and its result is serialized back (or its
// absl::Status becomes the C error). Exceptions never leave the plugin: anything thrown is
// caught and reported as an INTERNAL error naming the method.
//
// MPTEST_PLUGIN(name, version, description, Class...) takes one to three classes. Each must be
// default-constructible and derive from at least one of the three interfaces, and no interface
// may be implemented twice. One instance of each class is created when mptest initialises the
// plugin, and lives until the process exits; methods may be called from several threads at
// once. A class may define `absl::Status Initialize()`: it is called right after construction,
// and an error rejects the plugin with that message (a constructor cannot report one).
//
// The SDK is header-only, so a plugin builds from headers alone: with the Bazel macro
// mptest_plugin (core/plugin/plugin.bzl) or with a plain compiler command line (see
// docs/writing-a-plugin.md). The generated protobuf code is NOT linked into the plugin: the
// mptest process provides the one copy of it, of libprotobuf, Abseil and glog.
#ifndef MPTEST_CORE_API_PLUGIN_SDK_H_
#define MPTEST_CORE_API_PLUGIN_SDK_H_

#include <cstddef>
#include <exception>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/api/board_driver.h"
#include "core/api/builder.h"
#include "core/api/harness.h"
#include "core/api/plugin_abi.h"
#include "core/proto/tentacle.pb.h"

namespace mptest::plugin_sdk::internal {

inline void Write(mptest_plugin_output* out, const std::string& bytes) {
  out->write(out->host_context, bytes.data(), bytes.size());
}

inline mptest_plugin_status Fail(mptest_plugin_output* out, const absl::Status& status) {
  Write(out, std::string(status.message()));
  // A plugin returning OkStatus where an error was meant must not look like success.
  return status.ok() ? MPTEST_PLUGIN_INTERNAL : static_cast<mptest_plugin_status>(status.code());
}

// Runs `body` and turns anything it throws into an INTERNAL error naming `what`.
template <typename Body>
mptest_plugin_status Guard(const char* what, mptest_plugin_output* out, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    try {
      return Fail(
          out, absl::InternalError(std::string("uncaught exception in ") + what + ": " + e.what()));
    } catch (...) {
      return MPTEST_PLUGIN_INTERNAL;
    }
  } catch (...) {
    try {
      return Fail(out,
                  absl::InternalError(std::string("uncaught non-standard exception in ") + what));
    } catch (...) {
      return MPTEST_PLUGIN_INTERNAL;
    }
  }
}

template <typename Message>
absl::Status Parse(const char* data, size_t size, Message* message) {
  if (size > static_cast<size_t>(INT32_MAX) ||
      !message->ParseFromArray(data, static_cast<int>(size))) {
    return absl::InvalidArgumentError("the plugin could not parse the " +
                                      Message::descriptor()->full_name() + " it was given (" +
                                      std::to_string(size) + " bytes)");
  }
  return absl::OkStatus();
}

// Parses a Request, calls `method` and writes its response message (StatusOr<Response>) or
// nothing (Status).
template <typename Request, typename Method>
mptest_plugin_status Call(const char* what, const char* data, size_t size,
                          mptest_plugin_output* out, Method&& method) noexcept {
  return Guard(what, out, [&]() -> mptest_plugin_status {
    Request request;
    if (absl::Status parsed = Parse(data, size, &request); !parsed.ok()) return Fail(out, parsed);
    auto result = method(request);
    if constexpr (std::is_same_v<decltype(result), absl::Status>) {
      if (!result.ok()) return Fail(out, result);
    } else {
      if (!result.ok()) return Fail(out, result.status());
      Write(out, result->SerializeAsString());
    }
    return MPTEST_PLUGIN_OK;
  });
}

// The first of Classes deriving from Interface, or void.
template <typename Interface, typename... Classes>
struct FindImpl {
  using type = void;
};
template <typename Interface, typename First, typename... Rest>
struct FindImpl<Interface, First, Rest...> {
  using type = std::conditional_t<std::is_base_of_v<Interface, First>, First,
                                  typename FindImpl<Interface, Rest...>::type>;
};

template <typename Interface, typename... Classes>
constexpr int kImplCount = (0 + ... + (std::is_base_of_v<Interface, Classes> ? 1 : 0));

template <typename T, typename = void>
struct HasInitialize : std::false_type {};
template <typename T>
struct HasInitialize<T, std::void_t<decltype(std::declval<T&>().Initialize())>> : std::true_type {};

// Everything one plugin exports. `Tag` is a type with internal linkage declared by the macro, so
// each plugin gets its own instances and tables even when two plugins use the same class.
template <typename Tag, typename... Classes>
class Exporter {
  using BuilderImpl = typename FindImpl<Builder, Classes...>::type;
  using BoardDriverImpl = typename FindImpl<BoardDriver, Classes...>::type;
  using HarnessImpl = typename FindImpl<Harness, Classes...>::type;

  static_assert(sizeof...(Classes) >= 1, "MPTEST_PLUGIN needs at least one class");
  static_assert(((std::is_base_of_v<Builder, Classes> || std::is_base_of_v<BoardDriver, Classes> ||
                  std::is_base_of_v<Harness, Classes>)&&...),
                "each MPTEST_PLUGIN class must derive from mptest::Builder, mptest::BoardDriver "
                "or mptest::Harness");
  static_assert(kImplCount<Builder, Classes...> <= 1, "two classes implement mptest::Builder");
  static_assert(kImplCount<BoardDriver, Classes...> <= 1,
                "two classes implement mptest::BoardDriver");
  static_assert(kImplCount<Harness, Classes...> <= 1, "two classes implement mptest::Harness");
  static_assert((std::is_default_constructible_v<Classes> && ...),
                "MPTEST_PLUGIN classes must be default-constructible");

  static std::tuple<std::unique_ptr<Classes>...>& Instances() {
    static auto* instances = new std::tuple<std::unique_ptr<Classes>...>();  // never destroyed
    return *instances;
  }
  template <typename T>
  static T* Get() {
    return std::get<std::unique_ptr<T>>(Instances()).get();
  }

  template <typename T>
  static absl::Status Create() {
    auto instance = std::make_unique<T>();
    if constexpr (HasInitialize<T>::value) {
      absl::Status status = instance->Initialize();
      if (!status.ok()) return status;
    }
    std::get<std::unique_ptr<T>>(Instances()) = std::move(instance);
    return absl::OkStatus();
  }

  static mptest_plugin_status Init(const mptest_plugin_host* host,
                                   mptest_plugin_output* error) noexcept {
    return Guard("init", error, [&]() -> mptest_plugin_status {
      absl::Status status;
      // Creates the classes in order, stopping at the first failure.
      ((status.ok() ? (status = Create<Classes>(), 0) : 0), ...);
      if (!status.ok()) return Fail(error, status);
      if constexpr (!std::is_void_v<HarnessImpl>) {
        if (auto* report_test = HostCall(host, &mptest_plugin_host::report_test)) {
          Get<HarnessImpl>()->SetTestReporter(Forwarder<proto::TestProgress>(report_test));
        }
      }
      if constexpr (!std::is_void_v<BuilderImpl>) {
        if (auto* report_build = HostCall(host, &mptest_plugin_host::report_build)) {
          Get<BuilderImpl>()->SetProgressReporter(Forwarder<proto::BuildProgress>(report_build));
        }
      }
      return MPTEST_PLUGIN_OK;
    });
  }

  // The host's optional call in `field`, or nullptr when this mptest has none (older ones have
  // NULL in that slot, or a shorter struct).
  using HostReport = void (*)(const char*, size_t);
  static HostReport HostCall(const mptest_plugin_host* host,
                             HostReport mptest_plugin_host::*field) {
    if (host == nullptr) return nullptr;
    const size_t end = static_cast<size_t>(reinterpret_cast<const char*>(&(host->*field)) -
                                           reinterpret_cast<const char*>(host)) +
                       sizeof(HostReport);
    return host->struct_size < end ? nullptr : host->*field;
  }

  // A ReportChannel receiver that hands each message, serialized, to the host's `call`.
  template <typename Message>
  static typename ReportChannel<Message>::Receiver Forwarder(HostReport call) {
    return [call](const Message& message) {
      const std::string bytes = message.SerializeAsString();
      call(bytes.data(), bytes.size());
    };
  }

  static mptest_plugin_status Build(const char* data, size_t size, mptest_plugin_output* out) {
    return Call<proto::BuildRequest>("Builder::Build", data, size, out,
                                     [](const auto& r) { return Get<BuilderImpl>()->Build(r); });
  }
  static mptest_plugin_status Discover(const char* data, size_t size, mptest_plugin_output* out) {
    return Call<proto::DiscoverRequest>(
        "BoardDriver::Discover", data, size, out,
        [](const auto& r) { return Get<BoardDriverImpl>()->Discover(r); });
  }
  static mptest_plugin_status Start(const char* data, size_t size, mptest_plugin_output* out) {
    return Call<proto::Tentacle>("BoardDriver::Start", data, size, out,
                                 [](const auto& r) { return Get<BoardDriverImpl>()->Start(r); });
  }
  static mptest_plugin_status PowerCycle(const char* data, size_t size, mptest_plugin_output* out) {
    return Call<proto::Tentacle>("BoardDriver::PowerCycle", data, size, out, [](const auto& r) {
      return Get<BoardDriverImpl>()->PowerCycle(r);
    });
  }
  static mptest_plugin_status Flash(const char* data, size_t size, mptest_plugin_output* out) {
    return Call<proto::FlashRequest>("BoardDriver::Flash", data, size, out, [](const auto& r) {
      return Get<BoardDriverImpl>()->Flash(r);
    });
  }
  static mptest_plugin_status Stop(const char* data, size_t size, mptest_plugin_output* out) {
    return Call<proto::Tentacle>("BoardDriver::Stop", data, size, out,
                                 [](const auto& r) { return Get<BoardDriverImpl>()->Stop(r); });
  }
  static mptest_plugin_status ReadVersion(const char* data, size_t size,
                                          mptest_plugin_output* out) {
    return Call<proto::Tentacle>("BoardDriver::ReadVersion", data, size, out,
                                 [](const auto& r) -> absl::StatusOr<proto::BoardIdentity> {
                                   absl::StatusOr<std::string> identity =
                                       Get<BoardDriverImpl>()->ReadVersion(r);
                                   if (!identity.ok()) return identity.status();
                                   proto::BoardIdentity answer;
                                   answer.set_identity(*identity);
                                   return answer;
                                 });
  }
  static mptest_plugin_status Run(const char* data, size_t size, mptest_plugin_output* out) {
    return Call<proto::HarnessRequest>("Harness::Run", data, size, out,
                                       [](const auto& r) { return Get<HarnessImpl>()->Run(r); });
  }

  static const mptest_plugin_builder* BuilderTable() {
    if constexpr (std::is_void_v<BuilderImpl>) {
      return nullptr;
    } else {
      static const mptest_plugin_builder table = {sizeof(mptest_plugin_builder), &Build, {}};
      return &table;
    }
  }
  static const mptest_plugin_board_driver* BoardDriverTable() {
    if constexpr (std::is_void_v<BoardDriverImpl>) {
      return nullptr;
    } else {
      static const mptest_plugin_board_driver table = {sizeof(mptest_plugin_board_driver),
                                                       &Discover,
                                                       &Start,
                                                       &PowerCycle,
                                                       &Flash,
                                                       &Stop,
                                                       &ReadVersion,
                                                       {}};
      return &table;
    }
  }
  static const mptest_plugin_harness* HarnessTable() {
    if constexpr (std::is_void_v<HarnessImpl>) {
      return nullptr;
    } else {
      static const mptest_plugin_harness table = {sizeof(mptest_plugin_harness), &Run, {}};
      return &table;
    }
  }

 public:
  static const mptest_plugin_descriptor* Describe(const char* name, const char* version,
                                                  const char* description) {
    static const mptest_plugin_descriptor descriptor = {MPTEST_PLUGIN_ABI_VERSION,
                                                        sizeof(mptest_plugin_descriptor),
                                                        name,
                                                        version,
                                                        description,
                                                        &Init,
                                                        BuilderTable(),
                                                        BoardDriverTable(),
                                                        HarnessTable(),
                                                        {}};
    return &descriptor;
  }
};

}  // namespace mptest::plugin_sdk::internal

// Exports the classes as the plugin `name` (a string literal, [a-z0-9_]+), with `version` and a
// one-line `description` (string literals). Use once per plugin, at namespace scope of one .cc.
#define MPTEST_PLUGIN(name, version, description, ...)                                        \
  namespace {                                                                                 \
  struct MptestPluginTag {};                                                                  \
  }                                                                                           \
  extern "C" MPTEST_PLUGIN_EXPORT const mptest_plugin_descriptor* mptest_plugin_entry(void) { \
    return ::mptest::plugin_sdk::internal::Exporter<MptestPluginTag, __VA_ARGS__>::Describe(  \
        name, version, description);                                                          \
  }                                                                                           \
  static_assert(true, "")

#endif  // MPTEST_CORE_API_PLUGIN_SDK_H_
