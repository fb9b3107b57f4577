// Tests for Slurm's names of the lab and the configuration written from an inventory.
#include "core/sched/slurm_config.h"

#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace mptest::sched {
namespace {

proto::Inventory Parse(const std::string& text) {
  proto::Inventory inventory;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &inventory)) << text;
  return inventory;
}

constexpr char kLab[] = R"pb(
  tentacles {
    label: "1a01-VIRTUAL_PICO"
    type: "virtual"
    board: "VIRTUAL_PICO"
    host: "h1"
    tags { key: "device" value: "/dev/serial/by-id/pico-1a01" }
  }
  tentacles { label: "1a02-VIRTUAL_PICO" type: "virtual" board: "VIRTUAL_PICO" host: "h2" }
  tentacles { label: "2b01-VIRTUAL_ESP" type: "virtual" board: "VIRTUAL_ESP" host: "h1" }
)pb";

TEST(SlurmConfigTest, NamesAreBoardKindAndTentacleId) {
  proto::Inventory lab = Parse(kLab);
  EXPECT_EQ(GresName("VIRTUAL_PICO"), "virtual_pico");
  EXPECT_EQ(GresType(lab.tentacles(0)), "1a01");
  EXPECT_EQ(GresRequest(lab.tentacles(2)), "virtual_esp:2b01:1");
}

TEST(SlurmConfigTest, WritesNodesGresAndTheSettingsThatMatter) {
  SlurmConfigFiles files = MakeSlurmConfig(Parse(kLab), "lab.textproto");
  EXPECT_NE(files.slurm_conf.find("GresTypes=virtual_esp,virtual_pico\n"), std::string::npos)
      << files.slurm_conf;
  EXPECT_NE(files.slurm_conf.find("NodeName=h1 CPUs=2 Gres=virtual_pico:1a01:1,virtual_esp:2b01:1"),
            std::string::npos)
      << files.slurm_conf;
  EXPECT_NE(files.slurm_conf.find("NodeName=h2 CPUs=2 Gres=virtual_pico:1a02:1"),
            std::string::npos);
  EXPECT_NE(files.slurm_conf.find("PartitionName=mptest Nodes=h1,h2 Default=YES"),
            std::string::npos);
  for (const char* setting : {"SchedulerParameters=batch_sched_delay=0,bf_interval=1,bf_continue",
                              "JobRequeue=0", "KillWait=30"}) {
    EXPECT_NE(files.slurm_conf.find(setting), std::string::npos) << setting;
  }
  EXPECT_NE(files.gres_conf.find(
                "NodeName=h1 Name=virtual_pico Type=1a01 File=/dev/serial/by-id/pico-1a01\n"),
            std::string::npos)
      << files.gres_conf;
  EXPECT_NE(files.gres_conf.find("NodeName=h2 Name=virtual_pico Type=1a02 Count=1\n"),
            std::string::npos)
      << files.gres_conf;
}

TEST(SlurmConfigTest, RefusesATentacleWithoutHostNamingFileAndTentacle) {
  proto::Inventory lab = Parse(kLab);
  lab.mutable_tentacles(1)->clear_host();
  absl::Status status = CheckSlurmInventory(lab, "lab.textproto");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("lab.textproto: tentacle '1a02-VIRTUAL_PICO': field 'host'"),
            std::string::npos)
      << status;
  EXPECT_TRUE(CheckSlurmInventory(Parse(kLab), "lab.textproto").ok());
}

TEST(SlurmConfigTest, RefusesTentaclesSlurmCannotTellApart) {
  proto::Inventory lab = Parse(kLab);
  lab.mutable_tentacles(1)->set_label("1a01-VIRTUAL_PICO-two");
  absl::Status status = CheckSlurmInventory(lab, "lab.textproto");
  EXPECT_NE(status.message().find("same board and short id as '1a01-VIRTUAL_PICO'"),
            std::string::npos)
      << status;
  lab = Parse(kLab);
  lab.mutable_tentacles(0)->set_board("PICO-W");
  EXPECT_NE(CheckSlurmInventory(lab, "lab.textproto").message().find("letters, digits and '_'"),
            std::string::npos);
}

}  // namespace
}  // namespace mptest::sched
