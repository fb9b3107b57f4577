// pcall / Pcall: call C++ functions in parallel child processes, with pyATS's semantics.
//
//   int Add(int x, const Kwargs<y_kw>& kw) { return x + kw[y]; }
//   absl::StatusOr<std::vector<int>> sums = pcall(Add, iargs(args(1), args(2), args(3)),
//                                                 y = Each{4, 5, 6});   // {5, 7, 9}
//
// Arguments are built as in pyATS and zipped (the shortest list decides the number of calls):
//   cargs(a, b, ...)            positional arguments common to every call
//   iargs(args(..), args(..))   positional arguments per call, appended after cargs
//   ckwargs(k = v, ...)         keyword arguments common to every call
//   ikwargs(kwargs(k = v), ..)  keyword arguments per call
//   k = Each{v1, v2, ...}       one keyword value per call (pyATS's varkwargs)
//   targets(f1, f2, ...)        several targets: call i runs target i; iargs/ikwargs map onto
//                               them one to one
//   PcallOptions{...}           context, timeout, max_workers, stop_on_first_failure, logs, bus
// With no per-call list, a single target is called once. Keyword arguments are typed and
// checked at compile time; see keywords.h. The target's parameters (cargs + iargs [+ its
// Kwargs<...>]) and its result must be encodable (codec.h) where they cross a process:
// results always, arguments in the spawn context.
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
#include "core/process/supervisor.h"

namespace mptest::process {

// ---- Argument specs ----
template <typename... T>
struct CargsSpec {
  std::tuple<T...> values;
};
template <typename... T>
CargsSpec<std::decay_t<T>...> cargs(T&&... values) {
  return {std::tuple<std::decay_t<T>...>(std::forward<T>(values)...)};
}

// One call's positional arguments.
template <typename... T>
std::tuple<std::decay_t<T>...> args(T&&... values) {
  return std::tuple<std::decay_t<T>...>(std::forward<T>(values)...);
}

template <typename Tuple>
struct IargsSpec {
  std::vector<Tuple> values;
};
template <typename Tuple, typename... More>
IargsSpec<Tuple> iargs(Tuple first, More... more) {
  static_assert((std::is_same_v<Tuple, More> && ...),
                "iargs(...): every call's args(...) must have the same types");
  return {std::vector<Tuple>{std::move(first), std::move(more)...}};
}
template <typename Tuple>
IargsSpec<Tuple> iargs(std::vector<Tuple> values) {
  return {std::move(values)};
}

template <typename... KV>
struct KwargsSet {
  std::tuple<KV...> values;
};
// One call's keyword arguments: kwargs(c = 3, d = "x").
template <typename... KV>
KwargsSet<KV...> kwargs(KV... values) {
  return {std::tuple<KV...>(std::move(values)...)};
}

template <typename... KV>
struct CkwargsSpec {
  KwargsSet<KV...> set;
};
template <typename... KV>
CkwargsSpec<KV...> ckwargs(KV... values) {
  return {kwargs(std::move(values)...)};
}

template <typename... Sets>
struct IkwargsSpec {
  std::tuple<Sets...> sets;
};
template <typename... Sets>
IkwargsSpec<Sets...> ikwargs(Sets... sets) {
  return {std::tuple<Sets...>(std::move(sets)...)};
}

// A target with an explicit name (for errors and logs).
template <typename F>
struct NamedTarget {
  std::string name;
  F fn;
};
template <typename F>
NamedTarget<F> Named(std::string name, F fn) {
  return {std::move(name), std::move(fn)};
}

template <typename F>
struct TargetList {
  std::vector<F> fns;
};
// Several targets of the same type (function pointers of one signature, or std::function).
template <typename F, typename... More>
TargetList<std::decay_t<F>> targets(F first, More... more) {
  static_assert((std::is_same_v<std::decay_t<F>, std::decay_t<More>> && ...),
                "targets(...): all targets must have the same type (use function pointers of "
                "one signature, or std::function)");
  return {{first, more...}};
}

namespace internal {

// ---- What a target is ----
template <typename F>
struct FunctionTraits : FunctionTraits<decltype(&F::operator())> {};
template <typename R, typename... A>
struct FunctionTraits<R (*)(A...)> {
  using Result = R;
  using Params = std::tuple<std::decay_t<A>...>;
};
template <typename R, typename... A>
struct FunctionTraits<R(A...)> : FunctionTraits<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct FunctionTraits<R (C::*)(A...) const> : FunctionTraits<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct FunctionTraits<R (C::*)(A...)> : FunctionTraits<R (*)(A...)> {};

template <typename T>
struct TargetFn {
  using type = T;
};
template <typename F>
struct TargetFn<TargetList<F>> {
  using type = F;
};
template <typename F>
struct TargetFn<NamedTarget<F>> {
  using type = F;
};

template <typename F>
using ValueOf =
    std::conditional_t<std::is_void_v<typename FunctionTraits<F>::Result>, std::monostate,
                       std::decay_t<typename FunctionTraits<F>::Result>>;

template <typename Tuple>
struct LastIsKwargs : std::false_type {};
template <typename... T>
struct LastIsKwargs<std::tuple<T...>> {
  static constexpr bool value = [] {
    if constexpr (sizeof...(T) == 0) {
      return false;
    } else {
      return IsKwargs<std::tuple_element_t<sizeof...(T) - 1, std::tuple<T...>>>::value;
    }
  }();
};

template <typename Params, bool kTakesKwargs>
struct KwargsTypeOf {
  using type = Kwargs<>;
};
template <typename... T>
struct KwargsTypeOf<std::tuple<T...>, true> {
  using type = std::tuple_element_t<sizeof...(T) - 1, std::tuple<T...>>;
};

// Calls fn with the tuple; a void result becomes std::monostate.
template <typename F, typename Tuple>
auto InvokeToValue(const F& fn, const Tuple& params) {
  if constexpr (std::is_void_v<decltype(std::apply(fn, params))>) {
    std::apply(fn, params);
    return std::monostate();
  } else {
    return std::apply(fn, params);
  }
}

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

template <typename S>
constexpr bool kIsKeywordSpec = false;
template <typename... KV>
constexpr bool kIsKeywordSpec<CkwargsSpec<KV...>> = true;
template <typename... Sets>
constexpr bool kIsKeywordSpec<IkwargsSpec<Sets...>> = true;
template <typename K>
constexpr bool kIsKeywordSpec<KeywordEach<K>> = true;

template <typename K, typename Kw>
struct Accepts : std::false_type {};
template <typename K, typename... Ks>
struct Accepts<K, Kwargs<Ks...>> : std::bool_constant<kIsOneOf<K, Ks...>> {};

template <typename Kw, typename K>
void SetKeyword(Kw& kw, const typename K::value_type& value) {
  static_assert(Accepts<K, Kw>::value,
                "pcall: a keyword argument was passed that the target does not accept: add its "
                "keyword type to the target's Kwargs<...> parameter");
  kw.template set<K>(value);
}
template <typename Kw, typename... KV>
void ApplySet(Kw& kw, const KwargsSet<KV...>& set) {
  std::apply(
      [&kw](const auto&... kv) {
        (SetKeyword<Kw, typename std::decay_t<decltype(kv)>::keyword>(kw, kv.value), ...);
      },
      set.values);
}
template <typename Kw, typename S>
void ApplyKeywords(Kw&, const S&, size_t) {}
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
template <typename Kw, typename K>
void ApplyKeywords(Kw& kw, const KeywordEach<K>& s, size_t i) {
  SetKeyword<Kw, K>(kw, s.values[i]);
}

template <typename S>
void ApplyOptions(PcallOptions*, const S&) {}
inline void ApplyOptions(PcallOptions* options, const PcallOptions& given) { *options = given; }

// The name of a target, for errors and logs: its MPTEST_REGISTER_TARGET name, else its
// dynamic symbol (dladdr), else "target@<address>". Give lambdas and unexported functions a
// name with Named("name", fn) or by registering them.
template <typename F>
std::string NameOf(const F& fn) {
  if constexpr (std::is_pointer_v<F> && std::is_function_v<std::remove_pointer_t<F>>) {
    return FunctionName(reinterpret_cast<const void*>(fn));
  } else {
    return "callable";
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
  template <typename Target, typename... Specs>
  explicit Pcall(Target target, const Specs&... specs) {
    using F = typename internal::TargetFn<Target>::type;
    using Traits = internal::FunctionTraits<F>;
    using Params = typename Traits::Params;
    constexpr bool kTakesKwargs = internal::LastIsKwargs<Params>::value;
    using Kw = typename internal::KwargsTypeOf<Params, kTakesKwargs>::type;
    static_assert(std::is_same_v<R, internal::ValueOf<F>>, "Pcall<R>: R is the target's result");
    AssertEncodable<R>();
    static_assert(kTakesKwargs || !(internal::kIsKeywordSpec<Specs> || ...),
                  "pcall: keyword arguments were passed, but the target takes no Kwargs<...> as "
                  "its last parameter");

    PcallOptions options;
    (internal::ApplyOptions(&options, specs), ...);
    std::optional<size_t> calls;
    for (std::optional<size_t> n : {internal::CallsOf(target), internal::CallsOf(specs)...}) {
      if (n.has_value()) calls = std::min(calls.value_or(*n), *n);
    }
    std::vector<CallSpec> specs_out;
    for (size_t i = 0; i < calls.value_or(1); ++i) {
      auto positional = std::tuple_cat(internal::CargsOf(specs)..., internal::IargsOf(specs, i)...);
      Params params = BuildParams<Params, Kw, kTakesKwargs>(std::move(positional), i, specs...);
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
      specs_out.push_back(std::move(call));
    }
    supervisor_ = std::make_unique<Supervisor>(std::move(specs_out), std::move(options));
  }

  absl::Status start() { return supervisor_->Start(); }
  // Waits for every call (or `timeout`), then decodes the results. See Supervisor::Join.
  absl::Status join(absl::Duration timeout = absl::InfiniteDuration()) {
    absl::Status status = supervisor_->Join(timeout);
    if (per_call_.empty()) Collect();
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
  // Call i's own result or error; FailedPrecondition before join.
  absl::StatusOr<R> result(size_t i) const {
    if (per_call_.empty()) {
      return absl::FailedPreconditionError("Pcall::result(): join() has not returned yet");
    }
    return per_call_.at(i);
  }
  const std::vector<CallOutcome>& outcomes() const { return supervisor_->outcomes(); }

 private:
  template <typename Params, typename Kw, bool kTakesKwargs, typename Positional, typename... Specs>
  static Params BuildParams(Positional positional, size_t i, const Specs&... specs) {
    if constexpr (kTakesKwargs) {
      Kw kw;
      (internal::ApplyKeywords(kw, specs, i), ...);
      auto full = std::tuple_cat(std::move(positional), std::make_tuple(std::move(kw)));
      static_assert(std::is_constructible_v<Params, decltype(full)&&>,
                    "pcall: cargs + iargs (+ the Kwargs) do not match the target's parameters "
                    "in number or type");
      return Params(std::move(full));
    } else {
      static_assert(std::is_constructible_v<Params, Positional&&>,
                    "pcall: cargs + iargs do not match the target's parameters in number or "
                    "type");
      return Params(std::move(positional));
    }
  }

  void Collect() {
    const std::vector<CallOutcome>& outcomes = supervisor_->outcomes();
    for (size_t i = 0; i < outcomes.size(); ++i) {
      if (outcomes[i].ok) {
        per_call_.push_back(
            DecodeValue<R>(outcomes[i].encoded_result, absl::StrCat("the result of call ", i)));
      } else {
        per_call_.push_back(outcomes[i].error.ToStatus());
      }
    }
    bool all_ok = std::all_of(per_call_.begin(), per_call_.end(),
                              [](const absl::StatusOr<R>& r) { return r.ok(); });
    if (all_ok && supervisor_->joined()) {
      for (auto& r : per_call_) results_.push_back(*r);
    }
  }

  std::unique_ptr<Supervisor> supervisor_;
  std::vector<absl::StatusOr<R>> per_call_;
  std::vector<R> results_;
};

template <typename Target, typename... Specs>
Pcall(Target, const Specs&...) -> Pcall<PcallResult<Target>>;

// Builds, starts and joins: the results in call order, or the first failure in call order.
template <typename Target, typename... Specs>
absl::StatusOr<std::vector<PcallResult<Target>>> pcall(Target target, const Specs&... specs) {
  Pcall<PcallResult<Target>> call(std::move(target), specs...);
  absl::Status status = call.start();
  if (!status.ok()) return status;
  status = call.join();
  if (!status.ok()) return status;
  return call.results();
}

}  // namespace mptest::process

#define MPTEST_PROCESS_CONCAT_INNER(a, b) a##b
#define MPTEST_PROCESS_CONCAT(a, b) MPTEST_PROCESS_CONCAT_INNER(a, b)

// Registers function `fn` so the spawn context can run it by name in a fresh process. Use at
// namespace scope in the .cc that defines fn (in the binary that calls pcall).
#define MPTEST_REGISTER_TARGET(fn)                                                                \
  [[maybe_unused]] static const bool MPTEST_PROCESS_CONCAT(mptest_registered_target_, __LINE__) = \
      ::mptest::process::RegisterSpawnTarget(#fn, reinterpret_cast<const void*>(&fn),             \
                                             &::mptest::process::internal::InvokeEncoded<&fn>)

#endif  // MPTEST_CORE_PROCESS_PCALL_H_
