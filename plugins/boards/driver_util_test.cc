// Tests for the board drivers' shared helpers.
#include "plugins/boards/driver_util.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "firmware/launcher.h"
#include "firmware/test_board.h"
#include "gtest/gtest.h"

namespace mptest::boards {
namespace {

proto::DiscoverRequest Request() {
  proto::DiscoverRequest request;
  request.set_state_dir(absl::StrCat(getenv("TEST_TMPDIR"), "/state"));
  proto::BoardDefinition* board = request.add_boards();
  board->set_name("VIRTUAL");
  proto::InventoryEntry* a = request.mutable_inventory()->add_tentacles();
  a->set_label("a");
  a->set_type("virtual");
  a->set_board("VIRTUAL");
  proto::InventoryEntry* b = request.mutable_inventory()->add_tentacles();
  b->set_label("b");
  b->set_type("serial");
  b->set_board("RPI_PICO2");
  return request;
}

TEST(DriverUtilTest, ResolvesOnlyItsTypeAndMakesStateDirs) {
  absl::StatusOr<std::vector<proto::Tentacle>> tentacles = ResolveEntries(Request(), "virtual");
  ASSERT_TRUE(tentacles.ok()) << tentacles.status();
  ASSERT_EQ(tentacles->size(), 1u);
  EXPECT_EQ((*tentacles)[0].board().name(), "VIRTUAL");
  EXPECT_EQ((*tentacles)[0].state(), "off");
  EXPECT_TRUE(std::filesystem::is_directory((*tentacles)[0].runtime().at("state_dir")));
}

TEST(DriverUtilTest, ResolveErrorsNameTheLabel) {
  absl::Status unknown = ResolveEntries(Request(), "serial").status();
  EXPECT_TRUE(absl::IsNotFound(unknown)) << unknown;
  EXPECT_NE(unknown.message().find("'b'"), std::string::npos) << unknown;
  proto::DiscoverRequest twice = Request();
  *twice.mutable_inventory()->add_tentacles() = twice.inventory().tentacles(0);
  EXPECT_TRUE(absl::IsInvalidArgument(ResolveEntries(twice, "virtual").status()));
  proto::DiscoverRequest no_dir = Request();
  no_dir.clear_state_dir();
  EXPECT_TRUE(absl::IsInvalidArgument(ResolveEntries(no_dir, "virtual").status()));
}

TEST(DriverUtilTest, ExpandArgvReplacesPlaceholdersWithinArguments) {
  absl::StatusOr<std::vector<std::string>> argv =
      ExpandArgv({"picotool", "load", "{firmware}", "--ser={serial}", "a b"},
                 {{"firmware", "/fw/x y.uf2"}, {"serial", "E66"}}, "picotool");
  ASSERT_TRUE(argv.ok()) << argv.status();
  EXPECT_EQ(*argv,
            (std::vector<std::string>{"picotool", "load", "/fw/x y.uf2", "--ser=E66", "a b"}));
  absl::Status unknown = ExpandArgv({"{nope}"}, {}, "esptool").status();
  EXPECT_TRUE(absl::IsInvalidArgument(unknown));
  EXPECT_NE(unknown.message().find("{nope}"), std::string::npos);
  EXPECT_TRUE(absl::IsInvalidArgument(ExpandArgv({"{open"}, {}, "x").status()));
}

TEST(DriverUtilTest, RuntimeFieldsAndProcesses) {
  proto::Tentacle tentacle;
  tentacle.mutable_entry()->set_label("t");
  EXPECT_TRUE(absl::IsFailedPrecondition(RuntimeField(tentacle, "pid").status()));
  (*tentacle.mutable_runtime())["pid"] = "x";
  EXPECT_TRUE(absl::IsFailedPrecondition(RuntimePid(tentacle, "pid").status()));
  (*tentacle.mutable_runtime())["pid"] = absl::StrCat(getpid());
  ASSERT_TRUE(RuntimePid(tentacle, "pid").ok());
  (*tentacle.mutable_runtime())["pid"] = "999999999";
  EXPECT_TRUE(absl::IsFailedPrecondition(RunningProcess(tentacle).status()));
}

TEST(DriverUtilTest, ATentacleProcessLivesFromStartToStop) {
  absl::StatusOr<std::vector<proto::Tentacle>> tentacles = ResolveEntries(Request(), "virtual");
  ASSERT_TRUE(tentacles.ok()) << tentacles.status();
  proto::Tentacle tentacle = (*tentacles)[0];
  const std::string dir = tentacle.runtime().at("state_dir");
  tentacle.set_console(dir + "/console");
  EXPECT_TRUE(absl::IsFailedPrecondition(PowerCycleTentacleProcess(tentacle)));
  EXPECT_TRUE(StopTentacleProcess(tentacle).ok());  // nothing runs: nothing to stop

  absl::StatusOr<proto::Tentacle> started =
      StartTentacleProcess(tentacle,
                           {firmware::TestBoard::BinaryPath(), "--board=VIRTUAL",
                            "--flash=" + dir + "/flash", "--link=" + tentacle.console()},
                           dir + "/board.log");
  ASSERT_TRUE(started.ok()) << started.status();
  absl::StatusOr<pid_t> pid = RuntimePid(*started, "pid");
  ASSERT_TRUE(pid.ok()) << pid.status();
  EXPECT_TRUE(std::filesystem::exists(tentacle.console()));
  // Found again from a copy of the tentacle made before Start (through <state_dir>/pid).
  absl::StatusOr<pid_t> found = RunningProcess(tentacle);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(*found, *pid);
  EXPECT_TRUE(PowerCycleTentacleProcess(*started).ok());
  EXPECT_TRUE(StopTentacleProcess(*started).ok());
  EXPECT_FALSE(firmware::ProcessAlive(*pid));
  EXPECT_TRUE(StopTentacleProcess(*started).ok());
}

TEST(DriverUtilTest, AProcessThatNeverServesItsConsoleIsAnErrorNamingTheTentacle) {
  proto::Tentacle tentacle;
  tentacle.mutable_entry()->set_label("t");
  tentacle.set_console(absl::StrCat(getenv("TEST_TMPDIR"), "/never"));
  absl::Status status =
      StartTentacleProcess(tentacle, {"/bin/true", "--link=" + tentacle.console()},
                           absl::StrCat(getenv("TEST_TMPDIR"), "/true.log"), absl::Seconds(5))
          .status();
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("tentacle 't'"), std::string::npos) << status;
}

}  // namespace
}  // namespace mptest::boards
