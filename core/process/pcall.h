// pcall / Pcall: call C++ functions in parallel child processes, with pyATS's semantics.
//
//   MPTEST_KEYWORD(y, int);  // the keyword type y_kw and the object kw::y (keywords.h)
//   int Add(int x, const Kwargs<y_kw>& kwargs) { return x + kwargs[kw::y]; }
//   absl::StatusOr<std::vector<int>> sums = pcall(Add, iargs(args(1), args(2), args(3)),
//                                                 kw::y = Each{4, 5, 6});   // {5, 7, 9}
//
// Arguments are built as in pyATS and zipped (the shortest list decides the number of calls):
//   cargs(a, b, ...)               positional arguments common to every call
//   iargs(args(..), args(..))      positional arguments per call, appended after cargs
//   kw::k = v                      a keyword argument common to every call (pyATS's a = 1)
//   kw::k = Each{v1, v2, ...}      one keyword value per call (pyATS's varkwargs)
//   ckwargs(kw::k = v, ...)        keyword arguments common to every call
//   ikwargs(kwargs(kw::k = v), ..) keyword arguments per call
//   targets(f1, f2, ...)           several targets: call i runs target i; iargs/ikwargs map
//                                  onto them one to one
//   PcallOptions{...}              context, timeout, max_workers, stop_on_first_failure, logs,
//                                  bus
// Keywords are applied in argument order (a later value for the same keyword wins). With no
// per-call list, a single target is called once. A target takes keywords through a last
// Kwargs<...> parameter (keywords.h); an ordinary function is called by keyword through
// ByName<&f, name_kw, ...>. README.md sets every pyATS example beside its C++.
//
// Everything is checked at compile time, and a misuse is one short error that says what was
// expected (pcall_args.h lists the checks; compile_fail/ holds a case for each). The target's
// parameters (cargs + iargs [+ its Kwargs<...>]) and its result must be encodable (codec.h)
// where they cross a process: results always, arguments in the spawn context.
//
// Targets are named in errors, logs and events by the name given with Named("name", fn), else
// their registered name, else their function's name (a lambda or functor: its type's name,
// e.g. "ns::Foo_Test::TestBody()::{lambda(int)#1}").
//
// pcall(...) returns the results in call order, or the first failure in call order as a
// Status carrying a ChildProcessError (GetChildProcessError). Pcall gives the pieces:
// start(), join(timeout), terminate(), pids(), living(), results() (empty until a successful
// join), result(i) (each call's own result or error, so one failure does not hide the others).
// Contexts (fork, spawn, inline) and their safety are described in supervisor.h.
#ifndef MPTEST_CORE_PROCESS_PCALL_H_
#define MPTEST_CORE_PROCESS_PCALL_H_

#include <algorithm>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/process/child_error.h"
#include "core/process/child_runner.h"
#include "core/process/codec.h"
#include "core/process/keywords.h"
#include "core/process/pcall_args.h"
#include "core/process/supervisor.h"

namespace mptest::process {

namespace internal {

// Decodes the argument tuple, calls Fn, encodes the result: what a spawned child runs.
template <auto Fn>
std::string InvokeEncoded(absl::string_view encoded_args) {
  using Params = typename FunctionTraits<decltype(Fn)>::Params;
  absl::StatusOr<Params> params = DecodeValue<Params>(encoded_args, "spawn arguments");
  if (!params.ok()) throw std::runtime_error(std::string(params.status().message()));
  return EncodeValue(InvokeToValue(Fn, *params));
}

// ---- Spec inspection (overloads pick the matching spec, ignore the others) ----
template <typename S>
std::optional<size_t> CallsOf(const S&) {
  return std::nullopt;
}
template <typename T>
std::optional<size_t> CallsOf(const IargsSpec<T>& s) {
  return s.values.size();
}
template <typename... Sets>
std::optional<size_t> CallsOf(const IkwargsSpec<Sets...>&) {
  return sizeof...(Sets);
}
template <typename K>
std::optional<size_t> CallsOf(const KeywordEach<K>& s) {
  return s.values.size();
}
template <typename F>
std::optional<size_t> CallsOf(const TargetList<F>& s) {
  return s.fns.size();
}

template <typename S>
std::tuple<> CargsOf(const S&) {
  return {};
}
template <typename... T>
const std::tuple<T...>& CargsOf(const CargsSpec<T...>& s) {
  return s.values;
}
template <typename S>
std::tuple<> IargsOf(const S&, size_t) {
  return {};
}
template <typename T>
const T& IargsOf(const IargsSpec<T>& s, size_t i) {
  return s.values[i];
}

// Keywords are applied in argument order: a later one overrides an earlier one.
template <typename Kw, typename S>
void ApplyKeywords(Kw&, const S&, size_t) {}
template <typename Kw, typename K>
void ApplyKeywords(Kw& kw, const KeywordValue<K>& s, size_t) {
  kw.template set<K>(s.value);
}
template <typename Kw, typename K>
void ApplyKeywords(Kw& kw, const KeywordEach<K>& s, size_t i) {
  kw.template set<K>(s.values[i]);
}
template <typename Kw, typename... KV>
void ApplySet(Kw& kw, const KwargsSet<KV...>& set) {
  std::apply([&kw](const auto&... kv) { (ApplyKeywords(kw, kv, 0), ...); }, set.values);
}
template <typename Kw, typename... KV>
void ApplyKeywords(Kw& kw, const CkwargsSpec<KV...>& s, size_t) {
  ApplySet(kw, s.set);
}
template <typename Kw, typename... Sets>
void ApplyKeywords(Kw& kw, const IkwargsSpec<Sets...>& s, size_t i) {
  size_t index = 0;
  std::apply([&](const auto&... set) { ((index++ == i ? ApplySet(kw, set) : void()), ...); },
             s.sets);
}

template <typename S>
void ApplyOptions(PcallOptions*, const S&) {}
inline void ApplyOptions(PcallOptions* options, const PcallOptions& given) { *options = given; }

// The name of a target, for errors and logs: its MPTEST_REGISTER_TARGET name, else its
// demangled function name (see FunctionName); a lambda's or functor's type name. Give any
// target a name of your own with Named("name", fn).
template <typename F>
std::string NameOf(const F& fn) {
  if constexpr (std::is_pointer_v<F> && std::is_function_v<std::remove_pointer_t<F>>) {
    return FunctionName(reinterpret_cast<const void*>(fn));
  } else {
    return CallableName(typeid(F));
  }
}
template <typename F>
std::string SpawnNameOf(const F& fn) {
  if constexpr (std::is_pointer_v<F> && std::is_function_v<std::remove_pointer_t<F>>) {
    return SpawnTargetName(reinterpret_cast<const void*>(fn));
  } else {
    return "";
  }
}

template <typename T>
const auto& FnAt(const T& target, size_t) {
  return target;
}
template <typename F>
const F& FnAt(const TargetList<F>& target, size_t i) {
  return target.fns[i];
}
template <typename F>
const F& FnAt(const NamedTarget<F>& target, size_t) {
  return target.fn;
}
template <typename T>
std::string TargetName(const T& target, size_t i) {
  return NameOf(FnAt(target, i));
}
template <typename F>
std::string TargetName(const NamedTarget<F>& target, size_t) {
  return target.name;
}

}  // namespace internal

// The result type of pcall over `Target` (a callable, targets(...) or Named(...)).
template <typename Target>
using PcallResult = internal::ValueOf<typename internal::TargetFn<std::decay_t<Target>>::type>;

template <typename R>
class Pcall {
 public:
  // The target, then specs and keyword bindings; see the top of this file. A misuse is a
  // compile error (pcall_args.h lists the checks).
  template <typename Target, typename... Args>
  explicit Pcall(Target target, const Args&... args) {
    if constexpr (internal::CheckCall<Target, Args...>()) {
      static_assert(std::is_same_v<R, PcallResult<Target>>, "Pcall<R>: R is the target's result");
      Build(std::move(target), args...);
    }
  }
  // An overloaded function as the target: pick one overload with a static_cast.
  template <typename... Args>
  explicit Pcall(  // Pcall p(static_cast<int (*)(int, int)>(Add), ...)
      OverloadedTarget_PickOneWith_static_cast_ToItsFunctionPointerType, const Args&...) = delete;

  absl::Status start() { return supervisor_->Start(); }
  // Waits for every call (or `timeout`), then decodes the results. See Supervisor::Join.
  absl::Status join(absl::Duration timeout = absl::InfiniteDuration()) {
    absl::Status status = supervisor_->Join(timeout);
    if (!collected_) Collect();
    if (status.ok()) {
      for (const auto& result : per_call_) {
        if (!result.ok()) return result.status();
      }
    }
    return status;
  }
  void terminate() { supervisor_->Terminate(); }
  std::vector<pid_t> pids() const { return supervisor_->Pids(); }
  std::vector<pid_t> living() const { return supervisor_->Living(); }
  size_t size() const { return supervisor_->size(); }

  // Every call's result in call order; empty before join and if any call failed.
  const std::vector<R>& results() const { return results_; }
  // Moves the results out (results() is empty afterwards): no copy of a large result.
  std::vector<R> TakeResults() { return std::move(results_); }
  // Call i's own result or error; FailedPrecondition before join.
  absl::StatusOr<R> result(size_t i) const {
    if (!collected_) {
      return absl::FailedPreconditionError("Pcall::result(): join() has not returned yet");
    }
    if (per_call_.empty()) return results_.at(i);  // every call succeeded
    return per_call_.at(i);
  }
  const std::vector<CallOutcome>& outcomes() const { return supervisor_->outcomes(); }

 private:
  template <typename Target, typename... Args>
  void Build(Target target, const Args&... args) {
    using F = typename internal::TargetFn<Target>::type;
    using Params = typename internal::FunctionTraits<F>::Params;
    constexpr bool kTakesKwargs = internal::LastIsKwargs<Params>::value;
    using Kw = typename internal::KwargsTypeOf<Params, kTakesKwargs>::type;

    PcallOptions options;
    (internal::ApplyOptions(&options, args), ...);
    std::optional<size_t> calls;
    for (std::optional<size_t> n : {internal::CallsOf(target), internal::CallsOf(args)...}) {
      if (n.has_value()) calls = std::min(calls.value_or(*n), *n);
    }
    std::vector<CallSpec> specs;
    for (size_t i = 0; i < calls.value_or(1); ++i) {
      auto positional = std::tuple_cat(internal::CargsOf(args)..., internal::IargsOf(args, i)...);
      Params params = [&] {
        if constexpr (kTakesKwargs) {
          Kw kw;
          (internal::ApplyKeywords(kw, args, i), ...);
          return Params(std::tuple_cat(std::move(positional), std::make_tuple(std::move(kw))));
        } else {
          return Params(std::move(positional));
        }
      }();
      const F& fn = internal::FnAt(target, i);
      CallSpec call;
      call.target = internal::TargetName(target, i);
      call.run = [fn, params]() { return EncodeValue(internal::InvokeToValue(fn, params)); };
      if constexpr (kEncodable<Params>) {
        call.spawn_target = internal::SpawnNameOf(fn);
        call.encode_args = [params]() { return EncodeValue(params); };
      } else {
        call.spawn_unavailable =
            "its parameters cannot be encoded (see codec.h); only fork and inline can run it";
      }
      specs.push_back(std::move(call));
    }
    supervisor_ = std::make_unique<Supervisor>(std::move(specs), std::move(options));
  }

  // Decodes each result, taking its bytes out of the supervisor so that they are freed as soon
  // as the value exists: a large result is held at most twice (bytes and value), never more.
  void Collect() {
    collected_ = true;
    for (size_t i = 0; i < supervisor_->size(); ++i) {
      if (supervisor_->outcomes()[i].ok) {
        const CallOutcome taken = supervisor_->TakeOutcome(static_cast<int>(i));
        per_call_.push_back(
            DecodeValue<R>(taken.encoded_result, absl::StrCat("the result of call ", i)));
      } else {
        per_call_.push_back(supervisor_->outcomes()[i].error.ToStatus());
      }
    }
    bool all_ok = std::all_of(per_call_.begin(), per_call_.end(),
                              [](const absl::StatusOr<R>& r) { return r.ok(); });
    if (all_ok && supervisor_->joined()) {  // kept once, in results_ (result(i) reads them)
      for (auto& r : per_call_) results_.push_back(*std::move(r));
      per_call_.clear();
    }
  }

  std::unique_ptr<Supervisor> supervisor_;
  bool collected_ = false;
  // After join: every call's result or error, unless all succeeded (then results_ has them).
  std::vector<absl::StatusOr<R>> per_call_;
  std::vector<R> results_;
};

template <typename Target, typename... Args>
Pcall(Target, const Args&...) -> Pcall<PcallResult<Target>>;
// So that `Pcall p(Overloaded, ...)` reaches the deleted constructor that names the cast.
template <typename... Args>
Pcall(OverloadedTarget_PickOneWith_static_cast_ToItsFunctionPointerType, const Args&...)
    -> Pcall<int>;

// Builds, starts and joins: the results in call order, or the first failure in call order.
template <typename Target, typename... Args>
auto pcall(Target target, const Args&... args) {
  using Results = absl::StatusOr<std::vector<PcallResult<Target>>>;
  if constexpr (internal::CheckCall<Target, Args...>()) {
    Pcall<PcallResult<Target>> call(std::move(target), args...);
    absl::Status status = call.start();
    if (!status.ok()) return Results(status);
    status = call.join();
    if (!status.ok()) return Results(status);
    return Results(call.TakeResults());
  } else {
    return Results(absl::InternalError("unreachable: the call did not compile"));
  }
}
// An overloaded function as the target: pick one overload with a static_cast.
template <typename... Args>
absl::StatusOr<std::vector<int>> pcall(  // pcall(static_cast<int (*)(int, int)>(Add), ...)
    OverloadedTarget_PickOneWith_static_cast_ToItsFunctionPointerType, const Args&...) = delete;

}  // namespace mptest::process

#define MPTEST_PROCESS_CONCAT_INNER(a, b) a##b
#define MPTEST_PROCESS_CONCAT(a, b) MPTEST_PROCESS_CONCAT_INNER(a, b)

// Registers function `fn` (a function, a template specialization such as Multi<1>, or a
// ByName<...> adapter) so the spawn context can run it by name in a fresh process. Use at
// namespace scope in the .cc that defines fn (in the binary that calls pcall).
#define MPTEST_REGISTER_TARGET(...)                                                               \
  [[maybe_unused]] static const bool MPTEST_PROCESS_CONCAT(mptest_registered_target_, __LINE__) = \
      ::mptest::process::RegisterSpawnTarget(                                                     \
          #__VA_ARGS__, reinterpret_cast<const void*>(__VA_ARGS__),                               \
          &::mptest::process::internal::InvokeEncoded<__VA_ARGS__>)

#endif  // MPTEST_CORE_PROCESS_PCALL_H_
