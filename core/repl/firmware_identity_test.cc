// Tests for the firmware identity rule: what builders record and what boards report agree.
#include "core/repl/firmware_identity.h"

#include "gtest/gtest.h"

namespace mptest::repl {
namespace {

TEST(FirmwareIdentityTest, CurrentFirmwareUsesSysVersion) {
  EXPECT_EQ(FirmwareIdentity("standard",
                             "3.4.0; MicroPython v1.29.0-preview.731.g1c3c201149 on "
                             "2026-12-02"),
            "standard;3.4.0; MicroPython v1.29.0-preview.731.g1c3c201149 on 2026-12-02;standard");
}

TEST(FirmwareIdentityTest, BuilderAndBoardAgree) {
  const std::string built =
      FirmwareIdentityOfBuild("MPS2_AN385", "3.4.0", "MicroPython v1.29.0 on 2026-12-02");
  EXPECT_EQ(FirmwareIdentity("MPS2_AN385", "3.4.0; MicroPython v1.29.0 on 2026-12-02"), built);
  // The banner does not matter once sys.version carries the release.
  EXPECT_EQ(FirmwareIdentity("MPS2_AN385", "3.4.0; MicroPython v1.29.0 on 2026-12-02",
                             "MicroPython v9 on 1999-01-01; other"),
            built);
}

TEST(FirmwareIdentityTest, OldFirmwareTakesTheReleaseFromTheBanner) {
  EXPECT_EQ(FirmwareIdentity("", "3.4.0",
                             "\r\nMicroPython v1.9.2-34-gd64154c73 on 2017-09-01; micro:bit v1.0.1 "
                             "with nRF51822\r\nType \"help()\" for more information.\r\n>>> "),
            ";3.4.0; MicroPython v1.9.2-34-gd64154c73 on 2017-09-01;");
}

TEST(FirmwareIdentityTest, ReleaseFromText) {
  EXPECT_EQ(ReleaseFrom("MicroPython v1.22.0 on 2024-01-01; Raspberry Pi Pico with RP2040"),
            "MicroPython v1.22.0 on 2024-01-01");
  EXPECT_EQ(ReleaseFrom("MicroPython v1.22.0 on 2024-01-01\r\n>>> "),
            "MicroPython v1.22.0 on 2024-01-01");
  EXPECT_EQ(ReleaseFrom("no banner here"), "");
}

TEST(FirmwareIdentityTest, DifferentBuildsDiffer) {
  EXPECT_NE(FirmwareIdentity("standard", "3.4.0; MicroPython v1.29.0 on 2026-12-02"),
            FirmwareIdentity("coverage", "3.4.0; MicroPython v1.29.0 on 2026-12-02"));
}

}  // namespace
}  // namespace mptest::repl
