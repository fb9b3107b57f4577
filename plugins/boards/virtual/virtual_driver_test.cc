// The virtual tentacle type end to end: discover, start, build + flash (with the version check),
// power cycle, faults from the inventory, stop; each board process is stopped by the test.
#include "plugins/boards/virtual/virtual_driver.h"

#include <stdlib.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "core/repl/raw_repl_client.h"
#include "firmware/launcher.h"
#include "gtest/gtest.h"
#include "plugins/builders/virtual/virtual_builder.h"

namespace mptest::boards {
namespace {

absl::Time In(double seconds) { return absl::Now() + absl::Seconds(seconds); }

class VirtualDriverTest : public testing::Test {
 protected:
  proto::Tentacle Discover(const proto::VirtualFaults& faults = {}) {
    static int counter = 0;
    proto::DiscoverRequest request;
    request.set_state_dir(absl::StrCat(getenv("TEST_TMPDIR"), "/state", counter++));
    proto::BoardDefinition* board = request.add_boards();
    board->set_name("VIRTUAL");
    board->set_port("virtual");
    board->add_variants("");
    proto::InventoryEntry* entry = request.mutable_inventory()->add_tentacles();
    entry->set_label("virt-1");
    entry->set_type("virtual");
    entry->set_board("VIRTUAL");
    *entry->mutable_faults() = faults;
    absl::StatusOr<proto::DiscoverResponse> response = driver_.Discover(request);
    EXPECT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->tentacles_size(), 1);
    return response->tentacles(0);
  }

  proto::Tentacle Start(const proto::Tentacle& tentacle) {
    absl::StatusOr<proto::Tentacle> started = driver_.Start(tentacle);
    EXPECT_TRUE(started.ok()) << started.status();
    if (!started.ok()) return tentacle;
    started_.push_back(*started);
    return *started;
  }

  proto::Firmware Build(const std::string& source) {
    proto::BuildRequest request;
    request.set_source(source);
    request.mutable_board()->set_name("VIRTUAL");
    request.mutable_board()->set_port("virtual");
    request.set_output_dir(absl::StrCat(getenv("TEST_TMPDIR"), "/build-", source));
    absl::StatusOr<proto::Firmware> firmware = builders::VirtualBuilder().Build(request);
    EXPECT_TRUE(firmware.ok()) << firmware.status();
    return *firmware;
  }

  static std::string VersionOf(const proto::Tentacle& tentacle) {
    auto client = repl::RawReplClient::Open(tentacle.console());
    if (!client.ok()) return client.status().ToString();
    absl::Status entered = (*client)->EnterRawRepl(In(5));
    if (!entered.ok()) return entered.ToString();
    absl::StatusOr<repl::BoardVersion> version = (*client)->ReadVersion(In(5));
    return version.ok() ? version->identity : version.status().ToString();
  }

  void TearDown() override {
    for (const proto::Tentacle& tentacle : started_) {
      EXPECT_TRUE(driver_.Stop(tentacle).ok());
      pid_t pid = std::stoi(tentacle.runtime().at("pid"));
      EXPECT_FALSE(firmware::ProcessAlive(pid)) << "board " << pid << " survived Stop";
    }
  }

  VirtualBoardDriver driver_;
  std::vector<proto::Tentacle> started_;
};

TEST_F(VirtualDriverTest, StartsWithFactoryFirmwareThenFlashes) {
  ASSERT_TRUE(driver_.Initialize().ok());
  proto::Tentacle tentacle = Start(Discover());
  EXPECT_EQ(tentacle.state(), "idle");
  EXPECT_EQ(
      VersionOf(tentacle),
      absl::StrCat(";3.4.0; MicroPython ", VirtualBoardDriver::kFactoryVersion, " on 2026-01-01;"));
  proto::Firmware firmware = Build("src-a");
  proto::FlashRequest flash;
  *flash.mutable_tentacle() = tentacle;
  *flash.mutable_firmware() = firmware;
  flash.set_log_path(absl::StrCat(getenv("TEST_TMPDIR"), "/flash.log"));
  ASSERT_TRUE(driver_.Flash(flash).ok());
  EXPECT_EQ(VersionOf(tentacle), firmware.version());
  // Starting a running tentacle again changes nothing.
  absl::StatusOr<proto::Tentacle> again = driver_.Start(tentacle);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->runtime().at("pid"), tentacle.runtime().at("pid"));
}

TEST_F(VirtualDriverTest, CorruptImageLeavesTheBoardUnbootableUntilReflashed) {
  proto::Tentacle tentacle = Start(Discover());
  proto::Firmware good = Build("src-b");
  proto::Firmware bad = good;
  bad.set_path(absl::StrCat(getenv("TEST_TMPDIR"), "/corrupt.vimg"));
  std::ofstream(bad.path()) << "MPTEST-VIRTUAL-FIRMWARE 1\nboard=VIRTUAL\ncrc32=00000000\n";
  proto::FlashRequest flash;
  *flash.mutable_tentacle() = tentacle;
  *flash.mutable_firmware() = bad;
  absl::Status status = driver_.Flash(flash);
  EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
  EXPECT_NE(status.message().find("virt-1"), std::string::npos) << status;
  ASSERT_TRUE(driver_.PowerCycle(tentacle).ok());  // still unbootable after a power cycle
  auto client = repl::RawReplClient::Open(tentacle.console());
  ASSERT_TRUE(client.ok());
  EXPECT_FALSE((*client)->EnterRawRepl(In(0.5)).ok());
  *flash.mutable_firmware() = good;
  ASSERT_TRUE(driver_.Flash(flash).ok());
  EXPECT_EQ(VersionOf(tentacle), good.version());
}

TEST_F(VirtualDriverTest, InventoryFaultsReachTheBoardAndPowerCycleRecovers) {
  proto::VirtualFaults faults;
  faults.set_hang_after_executions(1);
  proto::Tentacle tentacle = Start(Discover(faults));
  auto client = repl::RawReplClient::Open(tentacle.console());
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->EnterRawRepl(In(5)).ok());
  EXPECT_TRUE((*client)->Execute("print(1)", In(5)).ok());
  EXPECT_TRUE(absl::IsDeadlineExceeded((*client)->Execute("print(2)", In(0.5)).status()));
  ASSERT_TRUE(driver_.PowerCycle(tentacle).ok());
  ASSERT_TRUE((*client)->EnterRawRepl(In(5)).ok());
  EXPECT_TRUE((*client)->Execute("print(3)", In(5)).ok());
}

TEST_F(VirtualDriverTest, DroppedLineComesBackOnPowerCycle) {
  proto::VirtualFaults faults;
  faults.set_drop_line_probability(1.0);
  faults.set_raw_paste("refused");  // old-firmware answers come from the inventory too
  proto::Tentacle tentacle = Start(Discover(faults));
  auto client = repl::RawReplClient::Open(tentacle.console());
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->EnterRawRepl(In(5)).ok());
  absl::Status dropped = (*client)->Execute("print(1)", In(5)).status();
  EXPECT_TRUE(absl::IsUnavailable(dropped)) << dropped;
  EXPECT_EQ((*client)->raw_paste(), repl::RawReplClient::RawPaste::kUnsupported);
  ASSERT_TRUE(driver_.PowerCycle(tentacle).ok());
  absl::Time deadline = In(5);
  absl::StatusOr<std::unique_ptr<repl::RawReplClient>> again;
  do {  // the board makes a new pty and points the console link at it
    again = repl::RawReplClient::Open(tentacle.console());
  } while (!again.ok() && absl::Now() < deadline);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE((*again)->EnterRawRepl(In(5)).ok());
}

TEST_F(VirtualDriverTest, StoppedTentacleRefusesPowerCycleAndStopIsIdempotent) {
  proto::Tentacle tentacle = Start(Discover());
  ASSERT_TRUE(driver_.Stop(tentacle).ok());
  EXPECT_TRUE(driver_.Stop(tentacle).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(driver_.PowerCycle(tentacle)));
  proto::Tentacle undiscovered;
  undiscovered.mutable_entry()->set_label("ghost");
  EXPECT_TRUE(absl::IsFailedPrecondition(driver_.Start(undiscovered).status()));
}

TEST(VirtualDriverSetupTest, MissingBinaryIsReported) {
  EXPECT_TRUE(absl::IsNotFound(VirtualBoardDriver("").Initialize()));
}

}  // namespace
}  // namespace mptest::boards
