// Keyword arguments for pcall targets, checked at compile time.
//
// Python's pcall passes **kwargs by name at run time. In C++ a keyword is declared once as a
// type that carries its name and its value type:
//
//   MPTEST_KEYWORD(speed, int);           // declares the keyword object `speed`
//   MPTEST_KEYWORD(port, std::string);
//
// A target that takes keyword arguments declares which ones as its last parameter:
//
//   int Flash(int board, const Kwargs<speed_kw, port_kw>& kw) {
//     return kw.has(speed) ? kw[speed] : 115200;
//   }
//
// and callers pass values with `keyword = value` (one value for every call) or
// `keyword = Each{v1, v2, ...}` (one value per call, pyATS's varkwargs):
//
//   pcall(Flash, iargs(args(1), args(2)), ckwargs(port = "/dev/ttyACM0"), speed = Each{9600,
//   115200});
//
// What the compiler checks: that each keyword passed is one the target declares (a
// static_assert names the problem), and that each value converts to the keyword's type. What
// is left to run time: whether a keyword was passed at all (`kw.has(k)`); reading a missing one
// with kw[k] throws std::out_of_range naming it, which in a child becomes a ChildProcessError.
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

// The base of every keyword type; see MPTEST_KEYWORD.
template <typename Derived, typename T>
struct Keyword {
  using value_type = T;
  KeywordValue<Derived> operator=(T value) const { return {std::move(value)}; }
  template <typename U>
  KeywordEach<Derived> operator=(Each<U> each) const {
    static_assert(std::is_convertible_v<U, T>,
                  "Each{...} values must convert to the keyword's value type");
    return {std::vector<T>(each.values.begin(), each.values.end())};
  }
};

// Declares keyword type `name##_kw` with value type `type` and the object `name` used to pass
// and read it.
#define MPTEST_KEYWORD(name, ...)                                         \
  struct name##_kw : ::mptest::process::Keyword<name##_kw, __VA_ARGS__> { \
    using ::mptest::process::Keyword<name##_kw, __VA_ARGS__>::operator=;  \
    static constexpr const char* kName = #name;                           \
  };                                                                      \
  [[maybe_unused]] inline constexpr name##_kw name {}

template <typename K, typename... Ks>
inline constexpr bool kIsOneOf = (std::is_same_v<K, Ks> || ...);

template <typename K, typename... Ks>
constexpr size_t IndexOf() {
  size_t index = 0;
  ((std::is_same_v<K, Ks> ? false : (++index, true)) && ...);
  return index;
}

// The keyword arguments a target accepts: each may be present or absent in a given call.
template <typename... Ks>
class Kwargs {
 public:
  template <typename K>
  bool has(K) const {
    CheckAccepted<K>();
    return std::get<IndexOf<K, Ks...>()>(values_).has_value();
  }
  // The value of keyword k; throws std::out_of_range if the call did not pass it.
  template <typename K>
  const typename K::value_type& operator[](K) const {
    CheckAccepted<K>();
    const auto& slot = std::get<IndexOf<K, Ks...>()>(values_);
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
    CheckAccepted<K>();
    std::get<IndexOf<K, Ks...>()>(values_) = std::move(value);
  }
  // The keywords passed, by name, with their values converted to V (for display and tests).
  template <typename V>
  std::map<std::string, V> ToMap() const {
    std::map<std::string, V> out;
    ((std::get<IndexOf<Ks, Ks...>()>(values_).has_value()
          ? void(out.emplace(Ks::kName, V(*std::get<IndexOf<Ks, Ks...>()>(values_))))
          : void()),
     ...);
    return out;
  }

  bool operator==(const Kwargs& other) const { return values_ == other.values_; }

  using Storage = std::tuple<std::optional<typename Ks::value_type>...>;
  Storage& storage() { return values_; }
  const Storage& storage() const { return values_; }

 private:
  template <typename K>
  static constexpr void CheckAccepted() {
    static_assert(kIsOneOf<K, Ks...>, "this keyword is not one of the target's Kwargs<...>");
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
