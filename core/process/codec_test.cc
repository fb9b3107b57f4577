// Round trips through the codec for every supported type, and malformed input.
#include "core/process/codec.h"

#include <functional>
#include <limits>

#include "core/process/keywords.h"
#include "core/proto/events.pb.h"
#include "gtest/gtest.h"

namespace mptest::process {
namespace {

template <typename T>
T RoundTrip(const T& value) {
  absl::StatusOr<T> decoded = DecodeValue<T>(EncodeValue(value), "test value");
  EXPECT_TRUE(decoded.ok()) << decoded.status();
  return decoded.ok() ? *decoded : T{};
}

TEST(CodecTest, Scalars) {
  EXPECT_EQ(RoundTrip(0), 0);
  EXPECT_EQ(RoundTrip(-1), -1);
  EXPECT_EQ(RoundTrip(std::numeric_limits<int64_t>::min()), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(RoundTrip(std::numeric_limits<int64_t>::max()), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(RoundTrip(std::numeric_limits<uint64_t>::max()), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(RoundTrip(true), true);
  EXPECT_EQ(RoundTrip('x'), 'x');
  EXPECT_EQ(RoundTrip(3.25), 3.25);
  EXPECT_EQ(RoundTrip(-0.5f), -0.5f);
  EXPECT_EQ(RoundTrip(std::string("text\0with nul", 13)), std::string("text\0with nul", 13));
  EXPECT_EQ(RoundTrip(Bytes{0, 1, 255}), (Bytes{0, 1, 255}));
}

TEST(CodecTest, StatusAndStatusOr) {
  absl::Status status = RoundTrip(absl::NotFoundError("no board"));
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "no board");
  EXPECT_TRUE(RoundTrip(absl::OkStatus()).ok());
  EXPECT_EQ(*RoundTrip(absl::StatusOr<int>(5)), 5);
  EXPECT_EQ(RoundTrip(absl::StatusOr<int>(absl::InternalError("x"))).status().message(), "x");
}

TEST(CodecTest, ContainersAndProtobuf) {
  std::map<std::string, std::vector<std::optional<int>>> nested = {{"a", {1, std::nullopt, 3}},
                                                                   {"b", {}}};
  EXPECT_EQ(RoundTrip(nested), nested);
  std::tuple<int, std::string, std::pair<bool, double>> tuple = {1, "two", {true, 4.5}};
  EXPECT_EQ(RoundTrip(tuple), tuple);
  EXPECT_EQ(RoundTrip(std::monostate()), std::monostate());

  proto::Event event;
  event.mutable_firmware_ready()->set_board("RPI_PICO");
  event.set_sequence(9);
  proto::Event back = RoundTrip(event);
  EXPECT_EQ(back.firmware_ready().board(), "RPI_PICO");
  EXPECT_EQ(back.sequence(), 9u);
}

MPTEST_KEYWORD(speed, int);
MPTEST_KEYWORD(port, std::string);

TEST(CodecTest, Kwargs) {
  Kwargs<speed_kw, port_kw> kw;
  kw.set<speed_kw>(9600);
  Kwargs<speed_kw, port_kw> back = RoundTrip(kw);
  EXPECT_TRUE(back.has(kw::speed));
  EXPECT_FALSE(back.has(kw::port));
  EXPECT_EQ(back[kw::speed], 9600);
  EXPECT_EQ(back.get_or(kw::port, "/dev/null"), "/dev/null");
  EXPECT_THROW(back[kw::port], std::out_of_range);
}

TEST(CodecTest, MalformedInputIsAnError) {
  std::string encoded = EncodeValue(std::string("hello"));
  EXPECT_FALSE(DecodeValue<std::string>(encoded.substr(0, 3), "truncated").ok());
  EXPECT_FALSE(DecodeValue<int>(encoded + "x", "trailing").ok());
  EXPECT_EQ(DecodeValue<std::vector<int>>("\xff\xff\xff\xff\x0f", "huge count").status().code(),
            absl::StatusCode::kDataLoss);
}

// Compile-time contract: unsupported types are rejected (the static_assert message fires if one
// is used with pcall); the trait lets generic code check first.
static_assert(kEncodable<std::vector<std::map<int, std::string>>>);
static_assert(!kEncodable<int*>);
static_assert(!kEncodable<std::vector<void*>>);
static_assert(!kEncodable<std::function<void()>>);

}  // namespace
}  // namespace mptest::process
