// What a pcall is made of, and the compile-time checks that turn every misuse into one short
// error: the argument specs (cargs, iargs, ckwargs, ikwargs, kw::name = ...), targets(...),
// Named(...), ByName<...> (an ordinary function called by keyword), and the traits that read a
// target's signature. pcall.h is the API; this header is its front end and has no run-time
// part.
//
// The checks run in order and stop at the first stage that fails, so a misuse gives one
// static_assert, not a cascade from deep inside the library:
//  1. the target is one function (or a callable with one non-template operator()) whose
//     parameters are taken by value or const reference;
//  2. every argument after the target is a spec or a keyword binding (the message names the
//     argument's position: a stray value, or `x = 7` assigning to a local `x`);
//  3. the positional arguments (cargs, then each call's iargs) match the target's parameters
//     (the error shows TargetTakes<...> and SpecsGive<...>, in order);
//  4. keywords: only to a target with Kwargs<...>, only ones it declares, and every Required
//     one in every call;
//  5. the result can cross a process boundary (codec.h).
#ifndef MPTEST_CORE_PROCESS_PCALL_ARGS_H_
#define MPTEST_CORE_PROCESS_PCALL_ARGS_H_

#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "core/process/codec.h"
#include "core/process/keywords.h"

namespace mptest::process {

struct PcallOptions;  // supervisor.h

// ---- Argument specs ----
// SpecError (keywords.h) is also what a spec function (iargs, kwargs, ...) returns after its
// own static_assert failed.
// The same for a target: what an invalid ByName<...> or targets(...) calls.
struct TargetError {};

template <typename T>
struct IsTuple : std::false_type {};
template <typename... T>
struct IsTuple<std::tuple<T...>> : std::true_type {};

template <typename K>
struct IsKeywordValue : std::false_type {};
template <typename K>
struct IsKeywordValue<KeywordValue<K>> : std::true_type {};

template <typename... T>
struct CargsSpec {
  std::tuple<T...> values;
};
// Positional arguments common to every call: cargs(1, 2, 3).
template <typename... T>
CargsSpec<std::decay_t<T>...> cargs(T&&... values) {
  return {std::tuple<std::decay_t<T>...>(std::forward<T>(values)...)};
}

// One call's positional arguments: args(4, "x").
template <typename... T>
std::tuple<std::decay_t<T>...> args(T&&... values) {
  return std::tuple<std::decay_t<T>...>(std::forward<T>(values)...);
}

template <typename Tuple>
struct IargsSpec {
  std::vector<Tuple> values;
};
// Positional arguments per call: iargs(args(4), args(5), args(6)), or a vector of tuples.
// (A misuse is one static_assert, then an empty spec, so that nothing else fails after it.)
template <typename Tuple, typename... More>
auto iargs(Tuple first, More... more) {
  constexpr bool kTuples = IsTuple<Tuple>::value;
  static_assert(kTuples, "iargs(...) takes one args(...) per call");
  constexpr bool kSameTypes = (std::is_same_v<Tuple, More> && ...);
  static_assert(!kTuples || kSameTypes,
                "iargs(...): every call's args(...) must have the same types (first: Tuple, "
                "the others: More, above)");
  if constexpr (kTuples && kSameTypes) {
    return IargsSpec<Tuple>{std::vector<Tuple>{std::move(first), std::move(more)...}};
  } else {
    return SpecError();
  }
}
template <typename Tuple>
auto iargs(std::vector<Tuple> values) {
  static_assert(IsTuple<Tuple>::value, "iargs(std::vector<...>) takes a vector of std::tuple");
  if constexpr (IsTuple<Tuple>::value) {
    return IargsSpec<Tuple>{std::move(values)};
  } else {
    return SpecError();
  }
}

template <typename... KV>
struct KwargsSet {
  std::tuple<KV...> values;
};
// One call's keyword arguments: kwargs(kw::c = 3, kw::d = "x").
template <typename... KV>
auto kwargs(KV... values) {
  constexpr bool kOk = ((IsKeywordValue<KV>::value || std::is_same_v<KV, SpecError>)&&...);
  static_assert(kOk, "kwargs(...) takes keyword bindings: kwargs(kw::name = value, ...)");
  if constexpr (kOk && !(std::is_same_v<KV, SpecError> || ...)) {
    return KwargsSet<KV...>{std::tuple<KV...>(std::move(values)...)};
  } else {
    return SpecError();
  }
}

template <typename... KV>
struct CkwargsSpec {
  KwargsSet<KV...> set;
};
template <typename... KV>
CkwargsSpec<KV...> ToCkwargs(KwargsSet<KV...> set) {
  return {std::move(set)};
}
inline SpecError ToCkwargs(SpecError error) { return error; }
// Keyword arguments common to every call: ckwargs(kw::a = 1, kw::b = 2). The same as passing
// kw::a = 1, kw::b = 2 directly.
template <typename... KV>
auto ckwargs(KV... values) {
  return ToCkwargs(kwargs(std::move(values)...));
}

template <typename Set>
struct IsKwargsSet : std::false_type {};
template <typename... KV>
struct IsKwargsSet<KwargsSet<KV...>> : std::true_type {};

template <typename... Sets>
struct IkwargsSpec {
  std::tuple<Sets...> sets;
};
// Keyword arguments per call: ikwargs(kwargs(kw::c = 3), kwargs(kw::c = 4)).
template <typename... Sets>
auto ikwargs(Sets... sets) {
  constexpr bool kOk = ((IsKwargsSet<Sets>::value || std::is_same_v<Sets, SpecError>)&&...);
  static_assert(kOk, "ikwargs(...) takes one kwargs(kw::name = value, ...) per call");
  if constexpr (kOk && !(std::is_same_v<Sets, SpecError> || ...)) {
    return IkwargsSpec<Sets...>{std::tuple<Sets...>(std::move(sets)...)};
  } else {
    return SpecError();
  }
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
auto targets(F first, More... more) {
  constexpr bool kOk = (std::is_same_v<std::decay_t<F>, std::decay_t<More>> && ...);
  static_assert(kOk,
                "targets(...): all targets must have the same type (use function pointers of "
                "one signature, or std::function)");
  if constexpr (kOk) {
    return TargetList<std::decay_t<F>>{{first, more...}};
  } else {
    return TargetList<TargetError (*)()>{};
  }
}

// What an overloaded function (or a function template's name) converts to when it is passed
// as a target: C++ cannot pick the overload, so pcall(Overloaded, ...) is a deleted function
// whose error names this type. Pick one with static_cast<int (*)(int, int)>(Add).
struct OverloadedTarget_PickOneWith_static_cast_ToItsFunctionPointerType {
  OverloadedTarget_PickOneWith_static_cast_ToItsFunctionPointerType(...) {}  // NOLINT
};

namespace internal {

// ---- What a target is ----
template <typename R, typename... A>
struct SignatureTraits {
  static constexpr bool kKnown = true;
  using Result = R;
  using Params = std::tuple<std::decay_t<A>...>;  // what the call stores and encodes
  using Declared = std::tuple<A...>;              // as the target declares them
};
struct UnknownSignature {
  static constexpr bool kKnown = false;
  using Result = int;
  using Params = std::tuple<>;
  using Declared = std::tuple<>;
};

template <typename F, typename = void>
struct FunctionTraits : UnknownSignature {};
template <typename R, typename... A>
struct FunctionTraits<R (*)(A...), void> : SignatureTraits<R, A...> {};
template <typename R, typename... A>
struct FunctionTraits<R (*)(A...) noexcept, void> : SignatureTraits<R, A...> {};
template <typename R, typename... A>
struct FunctionTraits<R(A...), void> : SignatureTraits<R, A...> {};
template <typename R, typename... A>
struct FunctionTraits<R(A...) noexcept, void> : SignatureTraits<R, A...> {};

template <typename M>
struct MemberTraits : UnknownSignature {};
template <typename C, typename R, typename... A>
struct MemberTraits<R (C::*)(A...)> : SignatureTraits<R, A...> {};
template <typename C, typename R, typename... A>
struct MemberTraits<R (C::*)(A...) const> : SignatureTraits<R, A...> {};
template <typename C, typename R, typename... A>
struct MemberTraits<R (C::*)(A...) noexcept> : SignatureTraits<R, A...> {};
template <typename C, typename R, typename... A>
struct MemberTraits<R (C::*)(A...) const noexcept> : SignatureTraits<R, A...> {};
// A lambda or functor with exactly one non-template operator().
template <typename F>
struct FunctionTraits<F, std::void_t<decltype(&F::operator())>>
    : MemberTraits<decltype(&F::operator())> {};

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

// The first N types of a tuple.
template <size_t N, typename Tuple, typename Seq = std::make_index_sequence<N>>
struct FirstTypes;
template <size_t N, typename Tuple, size_t... I>
struct FirstTypes<N, Tuple, std::index_sequence<I...>> {
  using type = std::tuple<std::tuple_element_t<I, Tuple>...>;
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

// ---- What an argument is ----
template <typename S>
inline constexpr bool kIsSpec = false;
template <typename... T>
inline constexpr bool kIsSpec<CargsSpec<T...>> = true;
template <typename T>
inline constexpr bool kIsSpec<IargsSpec<T>> = true;
template <typename... KV>
inline constexpr bool kIsSpec<CkwargsSpec<KV...>> = true;
template <typename... Sets>
inline constexpr bool kIsSpec<IkwargsSpec<Sets...>> = true;
template <typename K>
inline constexpr bool kIsSpec<KeywordValue<K>> = true;
template <typename K>
inline constexpr bool kIsSpec<KeywordEach<K>> = true;
template <>
inline constexpr bool kIsSpec<PcallOptions> = true;
template <>
inline constexpr bool kIsSpec<SpecError> = true;

// The positional argument types an argument supplies to every call (cargs) or to each call
// (iargs), and the keywords it passes to every call (ikwargs' are in PassedKeywords).
template <typename S>
struct SpecTypes {
  using Cargs = std::tuple<>;
  using Iargs = std::tuple<>;
  using Keywords = std::tuple<>;
};
template <typename... T>
struct SpecTypes<CargsSpec<T...>> : SpecTypes<void> {
  using Cargs = std::tuple<T...>;
};
template <typename T>
struct SpecTypes<IargsSpec<T>> : SpecTypes<void> {
  using Iargs = T;
};
template <typename... KV>
struct SpecTypes<CkwargsSpec<KV...>> : SpecTypes<void> {
  using Keywords = std::tuple<typename KV::keyword...>;
};
template <typename K>
struct SpecTypes<KeywordValue<K>> : SpecTypes<void> {
  using Keywords = std::tuple<K>;
};
template <typename K>
struct SpecTypes<KeywordEach<K>> : SpecTypes<void> {
  using Keywords = std::tuple<K>;
};

template <typename... Tuples>
using TupleCat = decltype(std::tuple_cat(std::declval<Tuples>()...));

// Every keyword an argument passes to some call.
template <typename S>
struct PassedKeywords {
  using type = typename SpecTypes<S>::Keywords;
};
template <typename... KV>
struct PassedKeywords<KwargsSet<KV...>> {
  using type = std::tuple<typename KV::keyword...>;
};
template <typename... Sets>
struct PassedKeywords<IkwargsSpec<Sets...>> {
  using type = TupleCat<typename PassedKeywords<Sets>::type...>;
};

template <typename K, typename Tuple>
struct TupleHas : std::false_type {};
template <typename K, typename... T>
struct TupleHas<K, std::tuple<T...>> : std::bool_constant<kIsOneOf<K, T...>> {};

// Whether every call gets keyword K from argument S.
template <typename K, typename S>
struct GivesToEveryCall : TupleHas<K, typename SpecTypes<S>::Keywords> {};
template <typename K, typename... Sets>
struct GivesToEveryCall<K, IkwargsSpec<Sets...>>
    : std::bool_constant<(sizeof...(Sets) > 0 &&
                          (TupleHas<K, typename PassedKeywords<Sets>::type>::value && ...))> {};

// ---- The checks (see the top of this file) ----
// In the error messages below, argument positions count the target as argument 1.
template <typename... Params>
struct TargetTakes {};
template <typename... Supplied>
struct SpecsGive {};

template <typename Takes, typename Gives>
struct PositionalArgumentsMatch {
  static constexpr bool value = false;
};
template <typename... P, typename... S>
struct PositionalArgumentsMatch<TargetTakes<P...>, SpecsGive<S...>> {
  static constexpr bool value = [] {
    if constexpr (sizeof...(P) != sizeof...(S)) {
      return false;
    } else {
      return (std::is_convertible_v<S, P> && ...);
    }
  }();
};

template <typename T>
struct TupleToTakes;
template <typename... T>
struct TupleToTakes<std::tuple<T...>> {
  using type = TargetTakes<T...>;
};
template <typename T>
struct TupleToGives;
template <typename... T>
struct TupleToGives<std::tuple<T...>> {
  using type = SpecsGive<T...>;
};

template <typename... A>
constexpr bool AllByValueOrConstRef(std::tuple<A...>*) {
  return ((!std::is_reference_v<A> ||
           (std::is_lvalue_reference_v<A> && std::is_const_v<std::remove_reference_t<A>>)) &&
          ...);
}

// 1. The target.
template <typename Target>
constexpr bool CheckTarget() {
  using Traits = FunctionTraits<typename TargetFn<Target>::type>;
  if constexpr (std::is_same_v<typename Traits::Result, TargetError>) return false;
  static_assert(Traits::kKnown,
                "pcall: the target must be a function, a function pointer, or an object with "
                "one non-template operator() (a lambda without auto parameters); an "
                "overloaded function needs static_cast<R (*)(A...)>(f), a function template "
                "its template arguments (f<int>)");
  if constexpr (Traits::kKnown) {
    constexpr bool kOk = AllByValueOrConstRef(static_cast<typename Traits::Declared*>(nullptr));
    static_assert(kOk,
                  "pcall: the target takes a parameter by non-const reference (T& or T&&); "
                  "each call gets its own copy of the arguments: take them by value or by "
                  "const reference");
    return kOk;
  }
  return false;
}

// 2. One argument after the target. The message names its position (the target is 1).
#define MPTEST_PCALL_CHECK_ARGUMENT(n)                                                     \
  static_assert(kPosition != n || kOk,                                                     \
                "pcall: argument " #n                                                      \
                " (the target is argument 1) is neither a spec (cargs, "                   \
                "iargs, ckwargs, ikwargs, PcallOptions) nor a keyword binding "            \
                "(kw::name = value, kw::name = Each{...}); note that a bare name = value " \
                "assigns to a variable of that name: write kw::name")
template <size_t kPosition, typename Arg>
constexpr bool CheckArgument() {
  constexpr bool kOk = kIsSpec<Arg>;
  MPTEST_PCALL_CHECK_ARGUMENT(2);
  MPTEST_PCALL_CHECK_ARGUMENT(3);
  MPTEST_PCALL_CHECK_ARGUMENT(4);
  MPTEST_PCALL_CHECK_ARGUMENT(5);
  MPTEST_PCALL_CHECK_ARGUMENT(6);
  MPTEST_PCALL_CHECK_ARGUMENT(7);
  MPTEST_PCALL_CHECK_ARGUMENT(8);
  MPTEST_PCALL_CHECK_ARGUMENT(9);
  MPTEST_PCALL_CHECK_ARGUMENT(10);
  MPTEST_PCALL_CHECK_ARGUMENT(11);
  MPTEST_PCALL_CHECK_ARGUMENT(12);
  static_assert(kPosition <= 12 || kOk,
                "pcall: an argument after the 12th is neither a spec (cargs, iargs, ckwargs, "
                "ikwargs, PcallOptions) nor a keyword binding (kw::name = value, "
                "kw::name = Each{...})");
  return kOk;
}
#undef MPTEST_PCALL_CHECK_ARGUMENT

template <typename... Args, size_t... I>
constexpr bool CheckArguments(std::index_sequence<I...>) {
  // Every one (not only the first bad one), in order.
  constexpr bool kOk[] = {true, CheckArgument<I + 2, Args>()...};
  return (kOk[I + 1] && ...);
}

// 3. Positional arguments: the error's context shows Takes = TargetTakes<the target's
// parameters> and Gives = SpecsGive<cargs' types, then iargs' types>.
template <typename Takes, typename Gives>
constexpr bool CheckPositional() {
  static_assert(PositionalArgumentsMatch<Takes, Gives>::value,
                "pcall: the positional arguments (cargs, then iargs) do not match the target's "
                "parameters in number or type; see TargetTakes<...> and SpecsGive<...> in the "
                "lines around this one");
  return PositionalArgumentsMatch<Takes, Gives>::value;
}

// 4. Keywords.
template <typename Passed, typename Kw>
struct KeywordsAccepted : std::false_type {};
template <typename... Passed, typename... Slots>
struct KeywordsAccepted<std::tuple<Passed...>, Kwargs<Slots...>>
    : std::bool_constant<(kIsOneOf<Passed, KeyOf<Slots>...> && ...)> {};

template <typename Keyword, typename TargetKwargs>
constexpr bool CheckKeywordAccepted() {
  constexpr bool kOk = KeywordsAccepted<std::tuple<Keyword>, TargetKwargs>::value;
  static_assert(kOk,
                "pcall: a keyword argument (Keyword above) is not one of the target's "
                "Kwargs<...> (TargetKwargs above)");
  return kOk;
}

template <typename Keyword, typename... Args>
constexpr bool CheckRequiredKeyword() {
  constexpr bool kOk = (GivesToEveryCall<Keyword, Args>::value || ...);
  static_assert(kOk,
                "pcall: the target's Kwargs<...> has Required<Keyword> (above), and not every "
                "call is given it: pass kw::name = value (all calls), kw::name = Each{...}, "
                "ckwargs(...), or put it in every ikwargs(...) set");
  return kOk;
}

template <typename TargetKwargs, typename... Args>
struct KeywordChecks;
template <typename... Slots, typename... Args>
struct KeywordChecks<Kwargs<Slots...>, Args...> {
  template <typename... Passed>
  static constexpr bool Accepted(std::tuple<Passed...>*) {
    return (CheckKeywordAccepted<Passed, Kwargs<Slots...>>() & ... & true);
  }
  template <typename Slot>
  static constexpr bool RequiredGiven() {
    if constexpr (kIsRequired<Slot>) {
      return CheckRequiredKeyword<KeyOf<Slot>, Args...>();
    } else {
      return true;
    }
  }
  static constexpr bool Required() { return (RequiredGiven<Slots>() & ... & true); }
};

template <bool kTakesKwargs, typename TargetKwargs, typename... Args>
constexpr bool CheckKeywords() {
  using Passed = TupleCat<typename PassedKeywords<Args>::type...>;
  if constexpr (!kTakesKwargs) {
    constexpr bool kOk = std::tuple_size_v<Passed> == 0;
    static_assert(kOk,
                  "pcall: keyword arguments were passed, but the target takes no Kwargs<...> as "
                  "its last parameter; to call an ordinary function by its parameters' names "
                  "use ByName<&f, name_kw, ...> (pcall.h)");
    return kOk;
  } else {
    using Checks = KeywordChecks<TargetKwargs, Args...>;
    if constexpr (!Checks::Accepted(static_cast<Passed*>(nullptr))) {
      return false;
    } else {
      return Checks::Required();
    }
  }
}

// All of it, in order; true when the call is well formed. Each stage runs only if the ones
// before it passed, so the first misuse is the only error.
template <typename Target, typename... Args>
constexpr bool CheckCall() {
  if constexpr (!CheckTarget<Target>()) {
    return false;
  } else if constexpr (!CheckArguments<Args...>(std::index_sequence_for<Args...>())) {
    return false;
  } else if constexpr ((std::is_same_v<Args, SpecError> || ...)) {
    return false;  // a spec function reported it
  } else {
    using F = typename TargetFn<Target>::type;
    using Params = typename FunctionTraits<F>::Params;
    using Declared = typename FunctionTraits<F>::Declared;
    constexpr bool kTakesKwargs = LastIsKwargs<Params>::value;
    constexpr size_t kPositional = std::tuple_size_v<Params> - (kTakesKwargs ? 1 : 0);
    using Takes = typename TupleToTakes<typename FirstTypes<kPositional, Declared>::type>::type;
    using Gives = typename TupleToGives<
        TupleCat<typename SpecTypes<Args>::Cargs..., typename SpecTypes<Args>::Iargs...>>::type;
    if constexpr (!CheckPositional<Takes, Gives>()) {
      return false;
    } else if constexpr (!CheckKeywords<kTakesKwargs,
                                        typename KwargsTypeOf<Params, kTakesKwargs>::type,
                                        Args...>()) {
      return false;
    } else {
      AssertEncodable<ValueOf<F>>();
      return kEncodable<ValueOf<F>>;
    }
  }
}

}  // namespace internal

// An ordinary function called by keyword: ByName<&f, name_kw, ...> is a function that takes
// f's leading parameters positionally and the last ones, one per keyword and in order, as
// Required keywords, and calls f. pyATS's pcall(add, x = (1, 2), y = (3, 4)) on
// `int Add(int x, int y)` is
//   pcall(ByName<&Add, x_kw, y_kw>, kw::x = Each{1, 2}, kw::y = Each{3, 4})
// It is a plain function pointer, so it can be registered for the spawn context:
//   MPTEST_REGISTER_TARGET(ByName<&Add, x_kw, y_kw>);
namespace internal {

template <auto Fn, typename Leading, typename... Ks>
struct ByNameCall;
template <auto Fn, typename... L, typename... Ks>
struct ByNameCall<Fn, std::tuple<L...>, Ks...> {
  static typename FunctionTraits<decltype(Fn)>::Result Call(L... leading,
                                                            const Kwargs<Required<Ks>...>& kwargs) {
    return Fn(std::forward<L>(leading)..., kwargs[Ks()]...);
  }
};

template <auto Fn, typename... Ks>
constexpr auto ByNameFor() {
  using Traits = FunctionTraits<decltype(Fn)>;
  static_assert(Traits::kKnown, "ByName<&f, ...>: f must be a function (&f)");
  constexpr size_t kParams = std::tuple_size_v<typename Traits::Declared>;
  static_assert(sizeof...(Ks) <= kParams,
                "ByName<&f, name_kw...>: more keywords than f has parameters");
  if constexpr (Traits::kKnown && sizeof...(Ks) <= kParams) {
    using Declared = typename Traits::Declared;
    constexpr size_t kLeading = kParams - sizeof...(Ks);
    static_assert((kIsKeyword<Ks> && ...),
                  "ByName<&f, name_kw...>: name f's last parameters with keyword types "
                  "(MPTEST_KEYWORD(name, type) declares name_kw)");
    return &ByNameCall<Fn, typename FirstTypes<kLeading, Declared>::type, Ks...>::Call;
  } else {
    return static_cast<TargetError (*)()>(nullptr);
  }
}

}  // namespace internal

template <auto Fn, typename... Ks>
inline constexpr auto ByName = internal::ByNameFor<Fn, Ks...>();

}  // namespace mptest::process

#endif  // MPTEST_CORE_PROCESS_PCALL_ARGS_H_
