// Configuration loading: parse errors name file, line and column; semantic errors name the
// file, the entry and the field.
#include "core/sched/config.h"

#include <sys/stat.h>

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::sched {
namespace {

using ::testing::HasSubstr;

std::string Write(const std::string& name, const std::string& text) {
  std::string path = std::string(getenv("TEST_TMPDIR")) + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(ConfigTest, ParseErrorNamesFileLineAndColumn) {
  proto::Inventory inventory;
  absl::Status status =
      ParseTextProto("inv.textproto", "name: \"lab\"\ntentacles {\n  labl: \"x\"\n}\n", &inventory);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("inv.textproto:3:"));
  EXPECT_THAT(status.message(), HasSubstr("labl"));
}

TEST(ConfigTest, MissingFileIsNotFound) {
  proto::Inventory inventory;
  EXPECT_EQ(LoadTextProto("/nonexistent/x.textproto", &inventory).code(),
            absl::StatusCode::kNotFound);
}

LabConfig SmallLab() {
  LabConfig lab;
  proto::BoardDefinition board;
  board.set_name("B1");
  board.set_port("virtual");
  board.add_variants("");
  board.add_variants("THREAD");
  lab.boards["B1"] = board;
  lab.inventory_path = "inv.textproto";
  proto::InventoryEntry* entry = lab.inventory.add_tentacles();
  entry->set_label("aaaa-B1");
  entry->set_type("fake");
  entry->set_board("B1");
  proto::TestRunSpec spec;
  spec.set_label("RUN-X");
  spec.set_fut("MCU_ONLY");
  spec.set_harness("native");
  spec.set_timeout_s(10);
  lab.specs.push_back(spec);
  return lab;
}

TEST(ConfigTest, GoodLabPasses) { EXPECT_TRUE(CheckLab(SmallLab(), "specs.textproto").ok()); }

TEST(ConfigTest, ALabWithNothingToTestOnIsRefused) {
  LabConfig lab = SmallLab();
  lab.inventory.clear_tentacles();
  EXPECT_THAT(CheckLab(lab, "s").message(), HasSubstr("inv.textproto: field tentacles: none"));
  lab = SmallLab();
  lab.specs.clear();
  EXPECT_THAT(CheckLab(lab, "s").message(), HasSubstr("s: field spec: none listed"));
}

TEST(ConfigTest, FaultsOutOfRangeAreNamed) {
  LabConfig lab = SmallLab();
  lab.inventory.mutable_tentacles(0)->mutable_faults()->set_garble_fraction(7.5);
  EXPECT_THAT(CheckLab(lab, "s").message(),
              HasSubstr("field faults.garble_fraction: must be in [0, 1], got 7.5"));
  lab = SmallLab();
  lab.inventory.mutable_tentacles(0)->mutable_faults()->set_hang_after_executions(-3);
  EXPECT_THAT(CheckLab(lab, "s").message(), HasSubstr("faults.hang_after_executions"));
  lab = SmallLab();
  lab.inventory.mutable_tentacles(0)->mutable_faults()->set_raw_paste("maybe");
  EXPECT_THAT(CheckLab(lab, "s").message(), HasSubstr("faults.raw_paste: 'maybe'"));
}

TEST(ConfigTest, OnlyRegularFilesOfBoundedSizeAndValidUtf8AreRead) {
  const std::string dir = std::string(getenv("TEST_TMPDIR"));
  EXPECT_THAT(ReadConfigFile(dir).status().message(), HasSubstr("a directory"));
  const std::string fifo = dir + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_THAT(ReadConfigFile(fifo).status().message(), HasSubstr("a FIFO"));  // and no hang
  EXPECT_THAT(ReadConfigFile("/dev/zero").status().message(), HasSubstr("not a regular file"));
  const std::string big = Write("big.textproto", std::string(kMaxConfigFileBytes + 1, '#'));
  EXPECT_THAT(ReadConfigFile(big).status().message(), HasSubstr("larger than the limit"));
  const std::string latin1 = Write("latin1.textproto", "name: \"lab\"\nname: \"caf\xe9\"\n");
  EXPECT_THAT(ReadConfigFile(latin1).status().message(),
              HasSubstr("latin1.textproto:2:11: not valid UTF-8"));
  proto::Inventory inventory;
  const std::string escaped = Write("escaped.textproto", "name: \"caf\\xe9\"\n");
  EXPECT_THAT(LoadTextProto(escaped, &inventory).message(), HasSubstr("field name: not valid"));
}

TEST(ConfigTest, UnknownBoardNamesTentacleAndField) {
  LabConfig lab = SmallLab();
  lab.inventory.mutable_tentacles(0)->set_board("NOPE");
  absl::Status status = CheckLab(lab, "specs.textproto");
  EXPECT_THAT(status.message(), HasSubstr("inv.textproto: tentacle 'aaaa-B1': field board"));
  EXPECT_THAT(status.message(), HasSubstr("unknown board 'NOPE'"));
}

TEST(ConfigTest, DuplicateLabelIsRefused) {
  LabConfig lab = SmallLab();
  *lab.inventory.add_tentacles() = lab.inventory.tentacles(0);
  EXPECT_THAT(CheckLab(lab, "s").message(), HasSubstr("field label: duplicate label"));
}

TEST(ConfigTest, TentaclesWhoseTestIdsWouldCollideAreRefused) {
  LabConfig lab = SmallLab();
  proto::InventoryEntry* first = lab.inventory.mutable_tentacles(0);
  first->set_label("qemu-1");
  proto::InventoryEntry second = *first;
  second.set_label("qemu-2");  // short id "qemu" too, same board
  *lab.inventory.add_tentacles() = second;
  absl::Status status = CheckLab(lab, "s");
  EXPECT_THAT(status.message(), HasSubstr("tentacle 'qemu-2': field label: its short id 'qemu'"));
  EXPECT_THAT(status.message(), HasSubstr("are those of tentacle 'qemu-1'"));
  lab.inventory.mutable_tentacles(1)->set_label("qem2-1");
  EXPECT_TRUE(CheckLab(lab, "s").ok()) << CheckLab(lab, "s");
}

TEST(ConfigTest, SplitIsCheckedAndShardFieldsAreMptests) {
  LabConfig lab = SmallLab();
  lab.specs[0].set_split(65);
  EXPECT_THAT(CheckLab(lab, "specs.textproto").message(),
              HasSubstr("specs.textproto: spec[0] 'RUN-X': field split: must be 0 to 64, got 65"));
  lab = SmallLab();
  lab.specs[0].set_shard_count(2);
  EXPECT_THAT(CheckLab(lab, "s").message(), HasSubstr("set by mptest (use split)"));
}

TEST(ConfigTest, UnknownVariantIsRefused) {
  LabConfig lab = SmallLab();
  lab.inventory.mutable_tentacles(0)->add_variants("RISCV");
  EXPECT_THAT(CheckLab(lab, "s").message(), HasSubstr("field variants: board B1 has no variant"));
}

TEST(ConfigTest, BadSpecFieldsAreNamed) {
  LabConfig lab = SmallLab();
  lab.specs[0].set_timeout_s(0);
  EXPECT_THAT(CheckLab(lab, "specs.textproto").message(),
              HasSubstr("specs.textproto: spec[0] 'RUN-X': field timeout_s"));
  lab = SmallLab();
  lab.specs[0].set_tentacles(3);
  EXPECT_THAT(CheckLab(lab, "s").message(), HasSubstr("field tentacles: must be 1 or 2"));
  lab = SmallLab();
  lab.specs.push_back(lab.specs[0]);
  EXPECT_THAT(CheckLab(lab, "s").message(), HasSubstr("duplicate label"));
}

// Names become directories and test ids: a spec label or tentacle label that could climb out
// of the results directory, or split a test id, is refused with the file and field.
TEST(ConfigTest, HostileNamesAreRefused) {
  const std::vector<std::string> hostile_names = {
      "../../etc", "a/b", "..",  ".hidden",        "-flag",
      "x@y",       "x,a", "a b", "$(touch pwned)", std::string("nul\0byte", 8)};
  for (const std::string& hostile : hostile_names) {
    LabConfig lab = SmallLab();
    lab.specs[0].set_label(hostile);
    absl::Status status = CheckLab(lab, "specs.textproto");
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << hostile;
    EXPECT_THAT(status.message(), HasSubstr("specs.textproto: spec[0]: field label"));
    EXPECT_THAT(status.message(), HasSubstr("not a usable name"));

    lab = SmallLab();
    lab.inventory.mutable_tentacles(0)->set_label(hostile);
    status = CheckLab(lab, "specs.textproto");
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << hostile;
    EXPECT_THAT(status.message(), HasSubstr("inv.textproto: tentacles[0].label"));
  }
  LabConfig lab = SmallLab();
  lab.specs[0].set_label("RUN-TESTS_STANDARD_VIA_MPY.v2+x");
  lab.inventory.mutable_tentacles(0)->set_label("5f2c-RPI_PICO2");
  EXPECT_TRUE(CheckLab(lab, "specs.textproto").ok());
}

TEST(ConfigTest, LoadBoardsRefusesHostileVariants) {
  std::string dir = std::string(getenv("TEST_TMPDIR")) + "/hostile-boards";
  mkdir(dir.c_str(), 0755);
  Write("hostile-boards/B.textproto", "name: \"B\"\nport: \"virtual\"\nvariants: \"../x\"\n");
  auto boards = LoadBoards(dir);
  ASSERT_FALSE(boards.ok());
  EXPECT_THAT(boards.status().message(), HasSubstr("B.textproto: field variants"));
  EXPECT_THAT(boards.status().message(), HasSubstr("not a usable name"));
}

TEST(ConfigTest, LoadBoardsChecksFileNameAndPort) {
  std::string dir = std::string(getenv("TEST_TMPDIR")) + "/boards";
  mkdir(dir.c_str(), 0755);
  Write("boards/GOOD.textproto", "name: \"GOOD\"\nport: \"virtual\"\n");
  auto boards = LoadBoards(dir);
  ASSERT_TRUE(boards.ok()) << boards.status();
  EXPECT_EQ(boards->at("GOOD").variants_size(), 1);  // the default variant ""
  Write("boards/BAD.textproto", "name: \"OTHER\"\nport: \"virtual\"\n");
  EXPECT_THAT(LoadBoards(dir).status().message(),
              HasSubstr("boards/BAD.textproto: field name: 'OTHER' must equal the file name"));
}

}  // namespace
}  // namespace mptest::sched
