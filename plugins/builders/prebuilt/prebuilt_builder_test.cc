// Tests for the prebuilt builder: image decoding, the version read from the banner, the copy,
// the content-hash cache and the errors that say how to name a file.
#include "plugins/builders/prebuilt/prebuilt_builder.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/repl/firmware_identity.h"
#include "core/report/atomic_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::builders {
namespace {

using ::testing::HasSubstr;

constexpr char kOldBanner[] = "MicroPython v1.9.2-34-gd64154c73 on 2017-09-01";

std::string TempPath(const std::string& name) {
  return absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name);
}

// Intel HEX of `data` in records of `per_record` bytes, then the end-of-file record.
std::string ToIntelHex(const std::string& data, size_t per_record) {
  std::string hex = ":020000040000FA\n";
  for (size_t at = 0; at < data.size(); at += per_record) {
    const std::string chunk = data.substr(at, per_record);
    unsigned sum = chunk.size() + ((at >> 8) & 0xff) + (at & 0xff);
    std::string line = absl::StrFormat(":%02X%04X00", chunk.size(), at & 0xffff);
    for (unsigned char c : chunk) {
      absl::StrAppendFormat(&line, "%02X", c);
      sum += c;
    }
    absl::StrAppendFormat(&line, "%02X\n", (0x100 - (sum & 0xff)) & 0xff);
    hex += line;
  }
  return hex + ":00000001FF\n";
}

// The image as UF2 blocks of 256 payload bytes.
std::string ToUf2(const std::string& data) {
  std::string uf2;
  auto put32 = [](std::string* out, uint32_t value) {
    for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(value >> (8 * i)));
  };
  for (size_t at = 0; at < data.size(); at += 256) {
    std::string block;
    put32(&block, 0x0A324655);
    put32(&block, 0x9E5D5157);
    put32(&block, 0);
    put32(&block, 0x10000000 + at);
    put32(&block, 256);
    put32(&block, at / 256);
    put32(&block, (data.size() + 255) / 256);
    put32(&block, 0);
    std::string payload = data.substr(at, 256);
    payload.resize(476, '\0');
    block += payload;
    put32(&block, 0x0AB16F30);
    uf2 += block;
  }
  return uf2;
}

// A fake image: code bytes, an error message that mentions MicroPython, then the banner.
std::string FakeImage(const std::string& release) {
  std::string image(300, '\x17');
  image += std::string("MicroPython v is needed\0", 24);
  image += release + std::string("\0", 1) + "1.0.1" + std::string("\0", 1);
  image += std::string(700, '\xff');
  return image;
}

TEST(ImageBytesTest, DecodesIntelHexAcrossRecords) {
  const std::string image = FakeImage(kOldBanner);
  absl::StatusOr<std::string> decoded = ImageBytes(ToIntelHex(image, 16));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, image);
  EXPECT_EQ(ReleaseInImage(*decoded), kOldBanner);
}

TEST(ImageBytesTest, DecodesUf2Payloads) {
  const std::string image = FakeImage("MicroPython v1.26.0 on 2025-08-09");
  absl::StatusOr<std::string> decoded = ImageBytes(ToUf2(image));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->substr(0, image.size()), image);
  EXPECT_EQ(ReleaseInImage(*decoded), "MicroPython v1.26.0 on 2025-08-09");
}

TEST(ImageBytesTest, RawImagesAreTakenAsTheyAre) {
  const std::string image = FakeImage("MicroPython v1.24.1 on 2024-11-29");
  EXPECT_EQ(*ImageBytes(image), image);
  EXPECT_EQ(ReleaseInImage(image), "MicroPython v1.24.1 on 2024-11-29");
  EXPECT_EQ(ReleaseInImage(std::string(1000, 'x')), "");
}

TEST(ImageBytesTest, MalformedHexNamesTheLine) {
  std::string hex = ToIntelHex(FakeImage(kOldBanner), 16);
  hex.replace(hex.find('\n', 40) + 5, 1, "F");  // corrupt the third line
  absl::StatusOr<std::string> decoded = ImageBytes(hex);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(decoded.status().message(), HasSubstr("line 3"));
}

TEST(IdentityOfReleaseTest, BuildNameOnlyFromV122) {
  EXPECT_EQ(IdentityOfRelease(kOldBanner, "MICROBIT", "nrf", ""),
            ";3.4.0; MicroPython v1.9.2-34-gd64154c73 on 2017-09-01;");
  EXPECT_EQ(IdentityOfRelease("MicroPython v1.26.0 on 2025-08-09", "RPI_PICO2", "rp2", "RISCV"),
            "RPI_PICO2-RISCV;3.4.0; MicroPython v1.26.0 on 2025-08-09;RPI_PICO2-RISCV");
  EXPECT_EQ(IdentityOfRelease("MicroPython v1.22.0 on 2024-01-01", "UNIX", "unix", "standard"),
            "standard;3.4.0; MicroPython v1.22.0 on 2024-01-01;standard");
  EXPECT_EQ(IdentityOfRelease("MicroPython v1.21.0 on 2023-10-06", "PYBV11", "stm32", ""),
            ";3.4.0; MicroPython v1.21.0 on 2023-10-06;");
}

proto::BuildRequest Request(const std::string& file, const std::string& out) {
  proto::BuildRequest request;
  request.mutable_board()->set_name("MICROBIT");
  request.mutable_board()->set_port("nrf");
  request.mutable_board()->set_firmware_kind("hex");
  request.set_firmware_file(file);
  request.set_output_dir(TempPath(out));
  return request;
}

TEST(PrebuiltBuilderTest, CopiesTheFileAndRecordsItsVersion) {
  const std::string file = TempPath("micro.hex");
  const std::string hex = ToIntelHex(FakeImage(kOldBanner), 16);
  ASSERT_TRUE(report::WriteFileAtomically(file, hex).ok());
  proto::BuildRequest request = Request(file, "out1");
  request.set_cache_dir(TempPath("cache"));
  PrebuiltBuilder builder;
  absl::StatusOr<proto::Firmware> firmware = builder.Build(request);
  ASSERT_TRUE(firmware.ok()) << firmware.status();
  EXPECT_EQ(firmware->path(), TempPath("out1/MICROBIT.hex"));
  EXPECT_EQ(*report::ReadFile(firmware->path()), hex);
  EXPECT_EQ(firmware->version(), ";3.4.0; MicroPython v1.9.2-34-gd64154c73 on 2017-09-01;");
  EXPECT_EQ(firmware->kind(), "hex");
  EXPECT_FALSE(firmware->from_cache());
  EXPECT_THAT(*report::ReadFile(firmware->build_log()), HasSubstr(file));

  // The second build of the same content takes the release from the cache.
  request.set_output_dir(TempPath("out2"));
  absl::StatusOr<proto::Firmware> again = builder.Build(request);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->from_cache());
  EXPECT_EQ(again->version(), firmware->version());
  EXPECT_EQ(again->source_revision(), firmware->source_revision());
}

TEST(PrebuiltBuilderTest, TheBoardsBuildArgumentNamesTheDefaultFile) {
  const std::string file = TempPath("default.bin");
  ASSERT_TRUE(
      report::WriteFileAtomically(file, FakeImage("MicroPython v1.25.0 on 2025-04-15")).ok());
  proto::BuildRequest request = Request("", "out3");
  request.add_args(absl::StrCat("firmware=", file));
  request.mutable_board()->clear_firmware_kind();
  absl::StatusOr<proto::Firmware> firmware = PrebuiltBuilder().Build(request);
  ASSERT_TRUE(firmware.ok()) << firmware.status();
  EXPECT_EQ(firmware->path(), TempPath("out3/MICROBIT.bin"));
  EXPECT_EQ(firmware->kind(), "bin");
  EXPECT_EQ(firmware->version(), "MICROBIT;3.4.0; MicroPython v1.25.0 on 2025-04-15;MICROBIT");
}

TEST(PrebuiltBuilderTest, NoBannerBuildsWithAnEmptyVersion) {
  const std::string file = TempPath("nobanner.bin");
  ASSERT_TRUE(report::WriteFileAtomically(file, std::string(4096, '\x55')).ok());
  absl::StatusOr<proto::Firmware> firmware = PrebuiltBuilder().Build(Request(file, "out4"));
  ASSERT_TRUE(firmware.ok()) << firmware.status();
  EXPECT_EQ(firmware->version(), "");
  EXPECT_THAT(*report::ReadFile(firmware->build_log()), HasSubstr("taken from the board"));
}

TEST(PrebuiltBuilderTest, NoBannerTakesWhatABoardSaidAfterAnEarlierFlash) {
  const std::string file = TempPath("nobanner2.bin");
  ASSERT_TRUE(report::WriteFileAtomically(file, std::string(4096, '\x66')).ok());
  proto::BuildRequest request = Request(file, "out8");
  request.set_cache_dir(TempPath("cache-learned"));
  absl::StatusOr<proto::Firmware> first = PrebuiltBuilder().Build(request);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->version(), "");
  // What core/sched's test run keeps after flashing it (test_run.cc).
  const std::string learned =
      repl::LearnedIdentityPath(request.cache_dir(), first->source_revision());
  ASSERT_TRUE(report::MakeDirectories(learned.substr(0, learned.rfind('/'))).ok());
  ASSERT_TRUE(report::WriteFileAtomically(learned, ";3.4.0; MicroPython v1.20.0 on x;\n").ok());
  absl::StatusOr<proto::Firmware> second = PrebuiltBuilder().Build(request);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->version(), ";3.4.0; MicroPython v1.20.0 on x;");
  EXPECT_THAT(*report::ReadFile(second->build_log()), HasSubstr("what a board said"));
}

TEST(PrebuiltBuilderTest, ErrorsSayHowToNameAFile) {
  absl::StatusOr<proto::Firmware> none = PrebuiltBuilder().Build(Request("", "out5"));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(none.status().message(), HasSubstr("--firmware=MICROBIT=<file>"));

  absl::StatusOr<proto::Firmware> missing =
      PrebuiltBuilder().Build(Request(TempPath("absent.hex"), "out6"));
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("absent.hex is not a regular file"));

  const std::string bad = TempPath("bad.hex");
  ASSERT_TRUE(report::WriteFileAtomically(bad, ":10000000zz\n").ok());
  absl::StatusOr<proto::Firmware> malformed = PrebuiltBuilder().Build(Request(bad, "out7"));
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(malformed.status().message(), HasSubstr("bad.hex: line 1"));
}

}  // namespace
}  // namespace mptest::builders
