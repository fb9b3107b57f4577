// Tests for the virtual firmware image format: round trip, and every way an image is rejected.
#include "firmware/image.h"

#include <stdlib.h>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace mptest::firmware {
namespace {

VirtualImage Sample() {
  VirtualImage image;
  image.board = "VIRTUAL";
  image.variant = "SPIRAM";
  image.version = "v1.29.0-virtual";
  image.date = "2026-11-23";
  return image;
}

TEST(ImageTest, RoundTripThroughAFile) {
  std::string path = absl::StrCat(getenv("TEST_TMPDIR"), "/image.vimg");
  ASSERT_TRUE(WriteImageFile(path, Sample()).ok());
  absl::StatusOr<VirtualImage> image = ReadImageFile(path);
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_EQ(image->board, "VIRTUAL");
  EXPECT_EQ(image->variant, "SPIRAM");
  EXPECT_EQ(image->version, "v1.29.0-virtual");
  EXPECT_EQ(image->Banner(),
            "MicroPython v1.29.0-virtual on 2026-11-23; VIRTUAL-SPIRAM with CPython\r\n"
            "Type \"help()\" for more information.\r\n");
}

TEST(ImageTest, EveryFlippedByteIsDetected) {
  const std::string bytes = SerializeImage(Sample());
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string corrupt = bytes;
    corrupt[i] ^= 0x01;
    EXPECT_FALSE(ParseImage(corrupt, "flash").ok()) << "byte " << i;
  }
}

TEST(ImageTest, ErrorsNameTheOriginAndTheProblem) {
  absl::Status magic = ParseImage("ELF...", "fw.bin").status();
  EXPECT_TRUE(absl::IsInvalidArgument(magic));
  EXPECT_NE(magic.message().find("fw.bin"), std::string::npos);
  std::string bytes = SerializeImage(Sample());
  absl::Status truncated = ParseImage(bytes.substr(0, bytes.size() - 12), "fw").status();
  EXPECT_TRUE(absl::IsDataLoss(truncated)) << truncated;
  EXPECT_TRUE(absl::IsNotFound(ReadImageFile("/nonexistent/flash").status()));
  VirtualImage bad = Sample();
  bad.version = "a\nb";
  EXPECT_TRUE(
      absl::IsInvalidArgument(WriteImageFile(absl::StrCat(getenv("TEST_TMPDIR"), "/bad"), bad)));
}

}  // namespace
}  // namespace mptest::firmware
