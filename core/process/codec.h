// Codec<T>: how arguments and results cross the process boundary, the C++ counterpart of
// pickle. Supported: integers, floating point, bool, std::string (text or bytes), Bytes
// (std::vector<uint8_t>), protobuf messages, absl::Status, absl::StatusOr<T>, std::monostate
// (a void result), and std::vector, std::optional, std::pair, std::tuple, std::map of supported
// types. Anything else fails to compile with a message that says why ("must be pickleable").
// To send your own type, specialize Codec<YourType> with Encode and Decode.
//
// Encoding: unsigned varints, zig-zag for signed integers, fixed little-endian IEEE floats,
// length-prefixed strings. The format is private to one build of one binary (fork and spawn
// both run the same executable), so it carries no type tags or versions.
#ifndef MPTEST_CORE_PROCESS_CODEC_H_
#define MPTEST_CORE_PROCESS_CODEC_H_

#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message_lite.h"

namespace mptest::process {

using Bytes = std::vector<uint8_t>;

class Encoder {
 public:
  void PutVarint(uint64_t value) {
    while (value >= 0x80) {
      out_.push_back(static_cast<char>(value | 0x80));
      value >>= 7;
    }
    out_.push_back(static_cast<char>(value));
  }
  void PutBytes(absl::string_view bytes) {
    PutVarint(bytes.size());
    out_.append(bytes.data(), bytes.size());
  }
  void PutRaw(const void* data, size_t size) { out_.append(static_cast<const char*>(data), size); }
  std::string& buffer() { return out_; }
  std::string Finish() && { return std::move(out_); }

 private:
  std::string out_;
};

class Decoder {
 public:
  explicit Decoder(absl::string_view in) : in_(in) {}
  bool GetVarint(uint64_t* value) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) return false;
      uint8_t byte = static_cast<uint8_t>(in_[0]);
      in_.remove_prefix(1);
      result |= uint64_t{byte & 0x7fu} << shift;
      if ((byte & 0x80) == 0) {
        *value = result;
        return true;
      }
    }
    return false;
  }
  bool GetBytes(absl::string_view* bytes) {
    uint64_t size = 0;
    if (!GetVarint(&size) || size > in_.size()) return false;
    *bytes = in_.substr(0, size);
    in_.remove_prefix(size);
    return true;
  }
  bool GetRaw(void* data, size_t size) {
    if (in_.size() < size) return false;
    memcpy(data, in_.data(), size);
    in_.remove_prefix(size);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  absl::string_view in_;
};

// The primary template is the "not pickleable" case.
template <typename T, typename Enable = void>
struct Codec {
  static constexpr bool kSupported = false;
};

// True if T can cross a process boundary.
template <typename T>
inline constexpr bool kEncodable = Codec<T>::kSupported;

template <typename T>
constexpr void AssertEncodable() {
  static_assert(kEncodable<T>,
                "mptest::process::Codec: this type cannot cross a process boundary (the C++ "
                "counterpart of Python's 'must be pickleable'). pcall arguments and results "
                "must be integers, floating point, bool, std::string, Bytes, protobuf messages, "
                "absl::Status, absl::StatusOr<T>, or std::vector/optional/pair/tuple/map of "
                "those. Pointers, references to live objects, file descriptors and callables "
                "cannot be copied into another process. Specialize mptest::process::Codec<T> "
                "to send your own type.");
}

template <typename T>
struct Codec<T, std::enable_if_t<std::is_integral_v<T>>> {
  static constexpr bool kSupported = true;
  static void Encode(const T& value, Encoder* e) {
    if constexpr (std::is_signed_v<T>) {
      int64_t v = value;
      e->PutVarint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
    } else {
      e->PutVarint(value);
    }
  }
  static bool Decode(Decoder* d, T* value) {
    uint64_t raw = 0;
    if (!d->GetVarint(&raw)) return false;
    if constexpr (std::is_same_v<T, bool>) {
      *value = raw != 0;
    } else if constexpr (std::is_signed_v<T>) {
      *value = static_cast<T>(static_cast<int64_t>((raw >> 1) ^ (~(raw & 1) + 1)));
    } else {
      *value = static_cast<T>(raw);
    }
    return true;
  }
};

template <typename T>
struct Codec<T, std::enable_if_t<std::is_floating_point_v<T>>> {
  static constexpr bool kSupported = true;
  static void Encode(const T& value, Encoder* e) { e->PutRaw(&value, sizeof(T)); }
  static bool Decode(Decoder* d, T* value) { return d->GetRaw(value, sizeof(T)); }
};

template <>
struct Codec<std::string> {
  static constexpr bool kSupported = true;
  static void Encode(const std::string& value, Encoder* e) { e->PutBytes(value); }
  static bool Decode(Decoder* d, std::string* value) {
    absl::string_view bytes;
    if (!d->GetBytes(&bytes)) return false;
    value->assign(bytes.data(), bytes.size());
    return true;
  }
};

template <>
struct Codec<Bytes> {
  static constexpr bool kSupported = true;
  static void Encode(const Bytes& value, Encoder* e) {
    e->PutBytes(absl::string_view(reinterpret_cast<const char*>(value.data()), value.size()));
  }
  static bool Decode(Decoder* d, Bytes* value) {
    absl::string_view bytes;
    if (!d->GetBytes(&bytes)) return false;
    value->assign(bytes.begin(), bytes.end());
    return true;
  }
};

template <>
struct Codec<std::monostate> {
  static constexpr bool kSupported = true;
  static void Encode(const std::monostate&, Encoder*) {}
  static bool Decode(Decoder*, std::monostate*) { return true; }
};

template <typename T>
struct Codec<T, std::enable_if_t<std::is_base_of_v<google::protobuf::MessageLite, T>>> {
  static constexpr bool kSupported = true;
  static void Encode(const T& value, Encoder* e) { e->PutBytes(value.SerializeAsString()); }
  static bool Decode(Decoder* d, T* value) {
    absl::string_view bytes;
    return d->GetBytes(&bytes) &&
           value->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  }
};

template <>
struct Codec<absl::Status> {
  static constexpr bool kSupported = true;
  static void Encode(const absl::Status& value, Encoder* e) {
    e->PutVarint(static_cast<uint64_t>(value.code()));
    e->PutBytes(value.message());
  }
  static bool Decode(Decoder* d, absl::Status* value) {
    uint64_t code = 0;
    absl::string_view message;
    if (!d->GetVarint(&code) || !d->GetBytes(&message)) return false;
    *value = absl::Status(static_cast<absl::StatusCode>(code), message);
    return true;
  }
};

template <typename T>
struct Codec<absl::StatusOr<T>> {
  static constexpr bool kSupported = kEncodable<T>;
  static void Encode(const absl::StatusOr<T>& value, Encoder* e) {
    Codec<absl::Status>::Encode(value.status(), e);
    if (value.ok()) Codec<T>::Encode(*value, e);
  }
  static bool Decode(Decoder* d, absl::StatusOr<T>* value) {
    absl::Status status;
    if (!Codec<absl::Status>::Decode(d, &status)) return false;
    if (!status.ok()) {
      *value = status;
      return true;
    }
    T inner{};
    if (!Codec<T>::Decode(d, &inner)) return false;
    *value = std::move(inner);
    return true;
  }
};

template <typename T>
struct Codec<std::vector<T>, std::enable_if_t<!std::is_same_v<T, uint8_t>>> {
  static constexpr bool kSupported = kEncodable<T>;
  static void Encode(const std::vector<T>& value, Encoder* e) {
    e->PutVarint(value.size());
    for (const auto& item : value) Codec<T>::Encode(item, e);
  }
  static bool Decode(Decoder* d, std::vector<T>* value) {
    uint64_t size = 0;
    if (!d->GetVarint(&size)) return false;
    value->clear();
    for (uint64_t i = 0; i < size; ++i) {
      T item{};
      if (!Codec<T>::Decode(d, &item)) return false;
      value->push_back(std::move(item));
    }
    return true;
  }
};

template <typename T>
struct Codec<std::optional<T>> {
  static constexpr bool kSupported = kEncodable<T>;
  static void Encode(const std::optional<T>& value, Encoder* e) {
    e->PutVarint(value.has_value() ? 1 : 0);
    if (value.has_value()) Codec<T>::Encode(*value, e);
  }
  static bool Decode(Decoder* d, std::optional<T>* value) {
    uint64_t present = 0;
    if (!d->GetVarint(&present)) return false;
    if (present == 0) {
      value->reset();
      return true;
    }
    T inner{};
    if (!Codec<T>::Decode(d, &inner)) return false;
    *value = std::move(inner);
    return true;
  }
};

template <typename A, typename B>
struct Codec<std::pair<A, B>> {
  static constexpr bool kSupported = kEncodable<A> && kEncodable<B>;
  static void Encode(const std::pair<A, B>& value, Encoder* e) {
    Codec<A>::Encode(value.first, e);
    Codec<B>::Encode(value.second, e);
  }
  static bool Decode(Decoder* d, std::pair<A, B>* value) {
    return Codec<A>::Decode(d, &value->first) && Codec<B>::Decode(d, &value->second);
  }
};

template <typename... T>
struct Codec<std::tuple<T...>> {
  static constexpr bool kSupported = (kEncodable<T> && ...);
  static void Encode(const std::tuple<T...>& value, Encoder* e) {
    std::apply(
        [e](const auto&... items) {
          (Codec<std::decay_t<decltype(items)>>::Encode(items, e), ...);
        },
        value);
  }
  static bool Decode(Decoder* d, std::tuple<T...>* value) {
    return std::apply(
        [d](auto&... items) {
          return (Codec<std::decay_t<decltype(items)>>::Decode(d, &items) && ...);
        },
        *value);
  }
};

template <typename K, typename V>
struct Codec<std::map<K, V>> {
  static constexpr bool kSupported = kEncodable<K> && kEncodable<V>;
  static void Encode(const std::map<K, V>& value, Encoder* e) {
    e->PutVarint(value.size());
    for (const auto& [k, v] : value) {
      Codec<K>::Encode(k, e);
      Codec<V>::Encode(v, e);
    }
  }
  static bool Decode(Decoder* d, std::map<K, V>* value) {
    uint64_t size = 0;
    if (!d->GetVarint(&size)) return false;
    value->clear();
    for (uint64_t i = 0; i < size; ++i) {
      K k{};
      V v{};
      if (!Codec<K>::Decode(d, &k) || !Codec<V>::Decode(d, &v)) return false;
      value->emplace(std::move(k), std::move(v));
    }
    return true;
  }
};

// Whole-value helpers.
template <typename T>
std::string EncodeValue(const T& value) {
  AssertEncodable<T>();
  Encoder e;
  Codec<T>::Encode(value, &e);
  return std::move(e).Finish();
}

// An error names the type's position as "what" (for example "result of call 3").
template <typename T>
absl::StatusOr<T> DecodeValue(absl::string_view bytes, absl::string_view what) {
  AssertEncodable<T>();
  Decoder d(bytes);
  T value{};
  if (!Codec<T>::Decode(&d, &value) || !d.done()) {
    return absl::DataLossError(
        absl::StrCat("cannot decode ", what, " from ", bytes.size(), " bytes: malformed data"));
  }
  return value;
}

}  // namespace mptest::process

#endif  // MPTEST_CORE_PROCESS_CODEC_H_
