// Tests of build planning: per-port artifacts, make command lines, refused inputs.
#include "plugins/builders/micropython_make/build_plan.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::micropython_make {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

proto::BoardDefinition Board(const std::string& name, const std::string& port) {
  proto::BoardDefinition board;
  board.set_name(name);
  board.set_port(port);
  return board;
}

TEST(BoundedJobsTest, BoundsByCoresAndRequest) {
  EXPECT_EQ(BoundedJobs(0, 8), 8);
  EXPECT_EQ(BoundedJobs(3, 8), 3);
  EXPECT_EQ(BoundedJobs(16, 8), 8);
  EXPECT_EQ(BoundedJobs(4, 0), 1);
}

TEST(PlanBuildTest, ArtifactPerPort) {
  struct Case {
    const char* port;
    const char* artifact;
    const char* kind;
  };
  for (const Case& c : {Case{"rp2", "ports/rp2/build-B/firmware.uf2", "uf2"},
                        Case{"esp32", "ports/esp32/build-B/firmware.bin", "bin"},
                        Case{"esp8266", "ports/esp8266/build-B/firmware.bin", "bin"},
                        Case{"samd", "ports/samd/build-B/firmware.bin", "bin"},
                        Case{"stm32", "ports/stm32/build-B/firmware.dfu", "dfu"},
                        Case{"mimxrt", "ports/mimxrt/build-B/firmware.hex", "hex"},
                        Case{"nrf", "ports/nrf/build-B/firmware.hex", "hex"},
                        Case{"qemu", "ports/qemu/build-B/firmware.elf", "elf"},
                        Case{"unix", "ports/unix/build-standard/micropython", "unix"}}) {
    absl::StatusOr<BuildPlan> plan = PlanBuild(Board("B", c.port), "", {}, 2);
    ASSERT_TRUE(plan.ok()) << plan.status();
    EXPECT_EQ(plan->artifact, c.artifact);
    EXPECT_EQ(plan->kind, c.kind);
  }
}

TEST(PlanBuildTest, FirmwareKindOverridesThePortDefault) {
  proto::BoardDefinition board = Board("NICE", "nrf");
  board.set_firmware_kind("bin");
  absl::StatusOr<BuildPlan> plan = PlanBuild(board, "", {}, 1);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->artifact, "ports/nrf/build-NICE/firmware.bin");
}

TEST(PlanBuildTest, BoardVariantCommandLines) {
  proto::BoardDefinition board = Board("RPI_PICO2", "rp2");
  board.add_variants("");
  board.add_variants("RISCV");
  board.add_build_prefix("docker");
  board.add_build_prefix("run");
  absl::StatusOr<BuildPlan> plan = PlanBuild(board, "RISCV", {"FROZEN_MANIFEST=m.py"}, 4);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->build_name, "RPI_PICO2-RISCV");
  EXPECT_EQ(plan->build_dir, "ports/rp2/build-RPI_PICO2-RISCV");
  EXPECT_EQ(plan->mpversion_header, "ports/rp2/build-RPI_PICO2-RISCV/genhdr/mpversion.h");
  EXPECT_THAT(plan->make_argv,
              ElementsAre("docker", "run", "make", "-j4", "-C", "ports/rp2", "BOARD=RPI_PICO2",
                          "BOARD_VARIANT=RISCV", "FROZEN_MANIFEST=m.py"));
  EXPECT_THAT(plan->mpy_cross_argv, ElementsAre("docker", "run", "make", "-j4", "-C", "mpy-cross"));
  EXPECT_THAT(plan->submodules_argv,
              ElementsAre("docker", "run", "make", "-C", "ports/rp2", "BOARD=RPI_PICO2",
                          "BOARD_VARIANT=RISCV", "submodules"));
}

TEST(PlanBuildTest, UnixUsesVariant) {
  absl::StatusOr<BuildPlan> plan = PlanBuild(Board("UNIX", "unix"), "coverage", {}, 1);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->build_name, "coverage");
  EXPECT_THAT(plan->make_argv, ElementsAre("make", "-j1", "-C", "ports/unix", "VARIANT=coverage"));
  EXPECT_EQ(plan->artifact, "ports/unix/build-coverage/micropython");
}

TEST(PlanBuildTest, RefusesBadInput) {
  proto::BoardDefinition board = Board("RPI_PICO", "rp2");
  board.add_variants("");
  EXPECT_THAT(PlanBuild(board, "NOPE", {}, 1).status().message(), HasSubstr("'NOPE'"));
  EXPECT_THAT(PlanBuild(board, "", {"-C/etc"}, 1).status().message(), HasSubstr("NAME=value"));
  EXPECT_THAT(PlanBuild(board, "", {"plain"}, 1).status().message(), HasSubstr("NAME=value"));
  EXPECT_THAT(PlanBuild(Board("X", "../x"), "", {}, 1).status().message(),
              HasSubstr("not a port name"));
  EXPECT_THAT(PlanBuild(Board("X", "zephyr"), "", {}, 1).status().message(),
              HasSubstr("firmware_kind"));
  EXPECT_THAT(PlanBuild(Board("", "rp2"), "", {}, 1).status().message(), HasSubstr("BOARD"));
}

}  // namespace
}  // namespace mptest::micropython_make
