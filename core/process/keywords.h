// Keyword arguments for pcall targets, checked at compile time.
//
// Python's pcall passes **kwargs by name at run time. In C++ a keyword is declared once as a
// type that carries its name and its value type:
//
//   MPTEST_KEYWORD(speed, int);           // declares the type speed_kw and the object kw::speed
//   MPTEST_KEYWORD(port, std::string);
//
// The objects live in a namespace `kw` (nested in the namespace the macro is used in) and are
// always written qualified, kw::speed: a qualified name cannot be shadowed, so a local
// `int speed` never turns `kw::speed = 9600` into an assignment to the local. (Name lookup
// before `::` only sees namespaces and types, so a parameter called `kw` does not hide it
// either.) An unqualified `speed = 9600` that reaches pcall is an int, which pcall rejects at
// compile time, naming the argument's position.
//
// A target that takes keyword arguments declares which ones as its last parameter; a keyword
// wrapped in Required<...> must be passed to every call, which the compiler checks:
//
//   int Flash(int board, const Kwargs<Required<port_kw>, speed_kw>& kwargs) {
//     return Open(kwargs[kw::port], kwargs.get_or(kw::speed, 115200));
//   }
//
// and callers pass values with `kw::keyword = value` (one value for every call, pyATS's
// `pcall(f, a = 1)`, the same as ckwargs) or `kw::keyword = Each{v1, v2, ...}` (one value per
// call, pyATS's varkwargs `x = (1, 2, 3)`):
//
//   pcall(Flash, iargs(args(1), args(2)), kw::port = "/dev/ttyACM0",
//         kw::speed = Each{9600, 115200});
//
// What the compiler checks: that each keyword passed is one the target declares, that every
// Required keyword is passed to every call, and that each value converts to the keyword's
// type (static_asserts name the problem and the keyword's type). What is left to run time:
// whether an optional keyword was passed (`kwargs.has(k)`); reading a missing one with
// kwargs[k] throws std::out_of_range naming it, which in a child becomes a ChildProcessError.
// An ordinary function (`int Add(int x, int y)`) is called by keyword through ByName (pcall.h).
#ifndef MPTEST_CORE_PROCESS_KEYWORDS_H_
#define MPTEST_CORE_PROCESS_KEYWORDS_H_

#include <initializer_list>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/process/codec.h"

namespace mptest::process {

// One value per call: `x = Each{1, 2, 3}`.
template <typename T>
struct Each {
  Each(std::initializer_list<T> list) : values(list) {}
  explicit Each(std::vector<T> list) : values(std::move(list)) {}
  std::vector<T> values;
};

// `keyword = value`: the keyword K with one value.
template <typename K>
struct KeywordValue {
  using keyword = K;
  typename K::value_type value;
};

// `keyword = Each{...}`: the keyword K with one value per call.
template <typename K>
struct KeywordEach {
  using keyword = K;
  std::vector<typename K::value_type> values;
};

// What a spec (kw::name = value, iargs(...), ...) is after its own static_assert failed: pcall
// accepts it without a further error, so that the first misuse stays the only one.
struct SpecError {};

template <typename T>
struct IsEach : std::false_type {};
template <typename T>
struct IsEach<Each<T>> : std::true_type {};

// The base of every keyword type; see MPTEST_KEYWORD.
template <typename Derived, typename T>
struct Keyword {
  using value_type = T;
  KeywordValue<Derived> operator=(T value) const { return {std::move(value)}; }
  // Any other value: converted here, or one error that names the types (not a list of
  // candidate operator= overloads).
  template <typename U, typename = std::enable_if_t<!IsEach<std::decay_t<U>>::value>>
  auto operator=(U&& value) const {
    constexpr bool kConverts = std::is_convertible_v<U&&, T>;
    static_assert(kConverts,
                  "kw::name = value: the value (U above) must convert to the keyword's value "
                  "type (T above)");
    if constexpr (kConverts) {
      return KeywordValue<Derived>{T(std::forward<U>(value))};
    } else {
      return SpecError();
    }
  }
  template <typename U>
  KeywordEach<Derived> operator=(Each<U> each) const {
    static_assert(std::is_convertible_v<U, T>,
                  "kw::name = Each{...}: the values must convert to the keyword's value type");
    return {std::vector<T>(each.values.begin(), each.values.end())};
  }
};

template <typename K, typename = void>
inline constexpr bool kIsKeyword = false;
template <typename K>
inline constexpr bool kIsKeyword<K, std::void_t<typename K::value_type>> =
    std::is_base_of_v<Keyword<K, typename K::value_type>, K>;

// Declares keyword type `name##_kw` with value type `type`, and the object `kw::name` used to
// pass and read it. Use at namespace scope.
#define MPTEST_KEYWORD(name, ...)                                         \
  struct name##_kw : ::mptest::process::Keyword<name##_kw, __VA_ARGS__> { \
    using ::mptest::process::Keyword<name##_kw, __VA_ARGS__>::operator=;  \
    static constexpr const char* kName = #name;                           \
  };                                                                      \
  namespace kw {                                                          \
  [[maybe_unused]] inline constexpr name##_kw name{};                     \
  }                                                                       \
  static_assert(true, "")

// In a target's Kwargs<...>: keyword K must be passed to every call (checked at compile time).
template <typename K>
struct Required {
  using keyword = K;
};

template <typename Slot>
struct KeyOfSlot {
  using type = Slot;
};
template <typename K>
struct KeyOfSlot<Required<K>> {
  using type = K;
};
// The keyword of a Kwargs slot: K for both K and Required<K>.
template <typename Slot>
using KeyOf = typename KeyOfSlot<Slot>::type;

template <typename Slot>
inline constexpr bool kIsRequired = false;
template <typename K>
inline constexpr bool kIsRequired<Required<K>> = true;

template <typename K, typename... Ks>
inline constexpr bool kIsOneOf = (std::is_same_v<K, Ks> || ...);

template <typename K, typename... Ks>
inline constexpr size_t kCountOf = (size_t{std::is_same_v<K, Ks>} + ... + 0);

template <typename K, typename... Ks>
constexpr size_t IndexOf() {
  size_t index = 0;
  ((std::is_same_v<K, Ks> ? false : (++index, true)) && ...);
  return index;
}

// The keyword arguments a target accepts: each slot is a keyword type (optional: it may be
// present or absent in a given call) or Required<keyword type> (present in every call).
template <typename... Slots>
class Kwargs {
  static_assert((kIsKeyword<KeyOf<Slots>> && ...),
                "Kwargs<...> takes keyword types (declared with MPTEST_KEYWORD(name, type): "
                "name_kw) or Required<name_kw>");
  static_assert(((kCountOf<KeyOf<Slots>, KeyOf<Slots>...> == 1) && ...),
                "Kwargs<...> names a keyword twice");

 public:
  template <typename K>
  bool has(K) const {
    return std::get<Index<K>()>(values_).has_value();
  }
  // The value of keyword k; throws std::out_of_range if the call did not pass it (never for a
  // Required one).
  template <typename K>
  const typename K::value_type& operator[](K) const {
    const auto& slot = std::get<Index<K>()>(values_);
    if (!slot.has_value()) {
      throw std::out_of_range(std::string("keyword argument '") + K::kName + "' was not passed");
    }
    return *slot;
  }
  template <typename K>
  typename K::value_type get_or(K k, typename K::value_type fallback) const {
    return has(k) ? (*this)[k] : fallback;
  }
  template <typename K>
  void set(typename K::value_type value) {
    std::get<Index<K>()>(values_) = std::move(value);
  }
  // The keywords passed, by name, with their values converted to V (for display and tests).
  template <typename V>
  std::map<std::string, V> ToMap() const {
    std::map<std::string, V> out;
    ((std::get<Index<KeyOf<Slots>>()>(values_).has_value()
          ? void(out.emplace(KeyOf<Slots>::kName, V(*std::get<Index<KeyOf<Slots>>()>(values_))))
          : void()),
     ...);
    return out;
  }

  bool operator==(const Kwargs& other) const { return values_ == other.values_; }

  using Storage = std::tuple<std::optional<typename KeyOf<Slots>::value_type>...>;
  Storage& storage() { return values_; }
  const Storage& storage() const { return values_; }

 private:
  template <typename K>
  static constexpr size_t Index() {
    static_assert(kIsOneOf<K, KeyOf<Slots>...>,
                  "this keyword is not one of the target's Kwargs<...>");
    return IndexOf<K, KeyOf<Slots>...>();
  }
  Storage values_;
};

template <typename T>
struct IsKwargs : std::false_type {};
template <typename... Ks>
struct IsKwargs<Kwargs<Ks...>> : std::true_type {};

template <typename... Ks>
struct Codec<Kwargs<Ks...>> {
  static constexpr bool kSupported = kEncodable<typename Kwargs<Ks...>::Storage>;
  static void Encode(const Kwargs<Ks...>& value, Encoder* e) {
    Codec<typename Kwargs<Ks...>::Storage>::Encode(value.storage(), e);
  }
  static bool Decode(Decoder* d, Kwargs<Ks...>* value) {
    return Codec<typename Kwargs<Ks...>::Storage>::Decode(d, &value->storage());
  }
};

}  // namespace mptest::process

#endif  // MPTEST_CORE_PROCESS_KEYWORDS_H_
