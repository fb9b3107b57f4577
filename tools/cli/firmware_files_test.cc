// Tests for --firmware parsing: board files, board-variant files, a directory, and the errors.
#include "tools/cli/firmware_files.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::cli {
namespace {

using ::testing::HasSubstr;

std::map<std::string, proto::BoardDefinition> Boards() {
  std::map<std::string, proto::BoardDefinition> boards;
  boards["MICROBIT"].set_name("MICROBIT");
  boards["RPI_PICO2"].set_name("RPI_PICO2");
  boards["RPI_PICO2"].add_variants("");
  boards["RPI_PICO2"].add_variants("RISCV");
  return boards;
}

std::string Temp(const std::string& name) {
  return absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name);
}

std::string InTemp(const std::string& path) { return path[0] == '/' ? path : Temp(path); }

TEST(ParseFirmwareFlagTest, BoardsVariantsAndADirectory) {
  std::ofstream(Temp("micro.hex")) << ":00000001FF\n";
  std::ofstream(Temp("riscv.uf2")) << "x";
  mkdir(Temp("downloads").c_str(), 0700);
  sched::BuildOptions options;
  ASSERT_TRUE(ParseFirmwareFlag({"MICROBIT=micro.hex", "RPI_PICO2-RISCV=riscv.uf2", "downloads"},
                                Boards(), InTemp, &options)
                  .ok());
  EXPECT_EQ(options.firmware_files["MICROBIT"], Temp("micro.hex"));
  EXPECT_EQ(options.firmware_files["RPI_PICO2-RISCV"], Temp("riscv.uf2"));
  EXPECT_EQ(options.firmware_dir, Temp("downloads"));
}

TEST(ParseFirmwareFlagTest, ErrorsNameTheValueAndWhatIsExpected) {
  std::ofstream(Temp("fw.bin")) << "x";
  sched::BuildOptions options;
  absl::Status unknown = ParseFirmwareFlag({"PICO=fw.bin"}, Boards(), InTemp, &options);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.message(), HasSubstr("'PICO=fw.bin': no board or board-variant 'PICO'"));
  EXPECT_THAT(unknown.message(), HasSubstr("MICROBIT, RPI_PICO2"));

  absl::Status variant = ParseFirmwareFlag({"RPI_PICO2-ARM=fw.bin"}, Boards(), InTemp, &options);
  EXPECT_THAT(variant.message(), HasSubstr("no board or board-variant 'RPI_PICO2-ARM'"));

  absl::Status missing = ParseFirmwareFlag({"MICROBIT=gone.hex"}, Boards(), InTemp, &options);
  EXPECT_THAT(missing.message(), HasSubstr("gone.hex: No such file or directory"));

  absl::Status directory = ParseFirmwareFlag({"MICROBIT=/"}, Boards(), InTemp, &options);
  EXPECT_THAT(directory.message(), HasSubstr("not a regular file"));

  absl::Status not_dir = ParseFirmwareFlag({"fw.bin"}, Boards(), InTemp, &options);
  EXPECT_THAT(not_dir.message(), HasSubstr("'fw.bin': not a directory"));

  sched::BuildOptions two;
  absl::Status second = ParseFirmwareFlag({"/", "/tmp"}, Boards(), InTemp, &two);
  EXPECT_THAT(second.message(), HasSubstr("a second directory"));
}

}  // namespace
}  // namespace mptest::cli
