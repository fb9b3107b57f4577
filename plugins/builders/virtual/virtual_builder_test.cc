// Tests for the virtual builder: images boot-check, versions follow the inputs, cache, errors.
#include "plugins/builders/virtual/virtual_builder.h"

#include <stdlib.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "firmware/image.h"
#include "gtest/gtest.h"

namespace mptest::builders {
namespace {

proto::BuildRequest Request(const std::string& dir) {
  proto::BuildRequest request;
  request.set_source("/src/micropython@abc");
  request.mutable_board()->set_name("VIRTUAL");
  request.mutable_board()->set_port("virtual");
  request.mutable_board()->add_variants("");
  request.mutable_board()->add_variants("SPIRAM");
  request.set_variant("SPIRAM");
  request.set_output_dir(absl::StrCat(getenv("TEST_TMPDIR"), "/", dir));
  return request;
}

TEST(VirtualBuilderTest, WritesABootableImageWithItsVersion) {
  VirtualBuilder builder;
  absl::StatusOr<proto::Firmware> firmware = builder.Build(Request("out1"));
  ASSERT_TRUE(firmware.ok()) << firmware.status();
  EXPECT_EQ(firmware->kind(), "vimg");
  EXPECT_FALSE(firmware->from_cache());
  absl::StatusOr<firmware::VirtualImage> image = firmware::ReadImageFile(firmware->path());
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_EQ(image->board, "VIRTUAL");
  EXPECT_EQ(image->variant, "SPIRAM");
  // The firmware's version is what the board reports once it boots the image.
  EXPECT_EQ(image->Identity(), firmware->version());
  EXPECT_EQ(image->version.rfind("v1.29.0-virtual-", 0), 0u) << image->version;
  EXPECT_EQ(firmware->version().rfind("SPIRAM;3.4.0; MicroPython v1.29.0-virtual-", 0), 0u)
      << firmware->version();
}

TEST(VirtualBuilderTest, ReportsEachFileItCompilesButNothingForACacheHit) {
  VirtualBuilder builder;
  std::vector<std::string> steps;
  builder.SetProgressReporter([&steps](const proto::BuildProgress& progress) {
    steps.push_back(absl::StrCat(progress.step(), " ", progress.done(), "/", progress.total(), " ",
                                 progress.unit()));
  });
  proto::BuildRequest request = Request("out-progress");
  request.set_cache_dir(absl::StrCat(getenv("TEST_TMPDIR"), "/cache-progress"));
  ASSERT_TRUE(builder.Build(request).ok());
  ASSERT_EQ(steps.size(), kVirtualFiles + 1u);
  EXPECT_EQ(steps.front(), absl::StrCat("make 0/", kVirtualFiles, " files"));
  EXPECT_EQ(steps.back(), absl::StrCat("make ", kVirtualFiles, "/", kVirtualFiles, " files"));
  steps.clear();
  absl::StatusOr<proto::Firmware> again = builder.Build(request);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->from_cache());
  EXPECT_TRUE(steps.empty());
}

TEST(VirtualBuilderTest, VersionFollowsTheInputs) {
  proto::BuildRequest a = Request("x");
  proto::BuildRequest b = Request("x");
  EXPECT_EQ(VirtualBuilder::VersionFor(a), VirtualBuilder::VersionFor(b));
  b.set_source("/src/micropython@def");
  EXPECT_NE(VirtualBuilder::VersionFor(a), VirtualBuilder::VersionFor(b));
  b = a;
  b.add_args("CFLAGS_EXTRA=-DX");
  EXPECT_NE(VirtualBuilder::VersionFor(a), VirtualBuilder::VersionFor(b));
}

TEST(VirtualBuilderTest, SecondBuildComesFromTheCache) {
  VirtualBuilder builder;
  proto::BuildRequest request = Request("out2");
  request.set_cache_dir(absl::StrCat(getenv("TEST_TMPDIR"), "/cache"));
  absl::StatusOr<proto::Firmware> first = builder.Build(request);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->from_cache());
  request.set_output_dir(absl::StrCat(getenv("TEST_TMPDIR"), "/out3"));
  absl::StatusOr<proto::Firmware> second = builder.Build(request);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->from_cache());
  EXPECT_EQ(second->version(), first->version());
  EXPECT_TRUE(firmware::ReadImageFile(second->path()).ok());
}

TEST(VirtualBuilderTest, RejectsOtherBoardsAndVariants) {
  VirtualBuilder builder;
  proto::BuildRequest request = Request("out4");
  request.mutable_board()->set_port("rp2");
  absl::Status port = builder.Build(request).status();
  EXPECT_TRUE(absl::IsInvalidArgument(port)) << port;
  EXPECT_NE(port.message().find("VIRTUAL"), std::string::npos);
  request = Request("out4");
  request.set_variant("NOPE");
  absl::Status variant = builder.Build(request).status();
  EXPECT_TRUE(absl::IsInvalidArgument(variant)) << variant;
  EXPECT_NE(variant.message().find("NOPE"), std::string::npos);
  request = Request("");
  request.clear_output_dir();
  EXPECT_TRUE(absl::IsInvalidArgument(builder.Build(request).status()));
}

TEST(VirtualBuilderTest, DelayArgumentMakesABuildTakeThatLongButNotACacheHit) {
  VirtualBuilder builder;
  proto::BuildRequest request = Request("out5");
  request.add_args("delay_s=1");
  request.set_cache_dir(absl::StrCat(getenv("TEST_TMPDIR"), "/cache5"));
  absl::Time start = absl::Now();
  absl::StatusOr<proto::Firmware> built = builder.Build(request);
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_GE(absl::Now() - start, absl::Seconds(1));
  request.set_output_dir(absl::StrCat(getenv("TEST_TMPDIR"), "/out6"));
  start = absl::Now();
  absl::StatusOr<proto::Firmware> cached = builder.Build(request);
  ASSERT_TRUE(cached.ok()) << cached.status();
  EXPECT_TRUE(cached->from_cache());
  // A cache hit does not wait out the delay (the bound is the delay itself, not a speed target).
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
}

TEST(VirtualBuilderTest, MalformedDelayIsRefusedWithTheArgument) {
  VirtualBuilder builder;
  for (const char* arg : {"delay_s=soon", "delay_s=-1", "delay_s=601"}) {
    proto::BuildRequest request = Request("out7");
    request.add_args(arg);
    absl::Status status = builder.Build(request).status();
    EXPECT_TRUE(absl::IsInvalidArgument(status)) << arg << ": " << status;
    EXPECT_NE(status.message().find(arg), std::string::npos) << status;
  }
  proto::BuildRequest request = Request("out8");
  request.add_args("delay_s=0.25");
  EXPECT_EQ(*VirtualBuilder::BuildDelay(request), absl::Milliseconds(250));
  EXPECT_EQ(*VirtualBuilder::BuildDelay(Request("out8")), absl::ZeroDuration());
}

}  // namespace
}  // namespace mptest::builders
