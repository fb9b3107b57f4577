// The execpty tentacle type: the virtual board and a unix-port stand-in run as commands on a
// pty, reached with the raw-REPL client through the relay; flashing, power cycling, the
// unix port's exit-on-soft-reset, and the errors of a bad inventory entry.
#include "plugins/boards/execpty/execpty_driver.h"

#include <stdlib.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "core/repl/raw_repl_client.h"
#include "firmware/image.h"
#include "firmware/launcher.h"
#include "gtest/gtest.h"
#include "plugins/boards/driver_util.h"

namespace mptest::boards {
namespace {

absl::Time In(double seconds) { return absl::Now() + absl::Seconds(seconds); }

std::string Runfile(const std::string& path) {
  return absl::StrCat(getenv("TEST_SRCDIR"), "/mptest/", path);
}

std::string TempPath(const std::string& name) {
  return absl::StrCat(getenv("TEST_TMPDIR"), "/", name);
}

class ExecPtyDriverTest : public testing::Test {
 protected:
  ExecPtyDriverTest() : driver_(Runfile("plugins/boards/execpty/execpty_relay")) {}

  absl::StatusOr<proto::Tentacle> Discover(const std::vector<std::string>& command,
                                           const std::string& initial_firmware = "") {
    static int counter = 0;
    proto::DiscoverRequest request;
    request.set_state_dir(TempPath(absl::StrCat("state", counter++)));
    request.add_boards()->set_name("UNIX");
    proto::InventoryEntry* entry = request.mutable_inventory()->add_tentacles();
    entry->set_label("unix-1");
    entry->set_type("execpty");
    entry->set_board("UNIX");
    for (const std::string& arg : command) entry->add_command(arg);
    if (!initial_firmware.empty()) (*entry->mutable_tags())["firmware"] = initial_firmware;
    absl::StatusOr<proto::DiscoverResponse> response = driver_.Discover(request);
    if (!response.ok()) return response.status();
    return response->tentacles(0);
  }

  absl::StatusOr<proto::Tentacle> Start(const proto::Tentacle& tentacle) {
    absl::StatusOr<proto::Tentacle> started = driver_.Start(tentacle);
    if (started.ok()) started_.push_back(*started);
    return started;
  }

  void TearDown() override {
    for (const proto::Tentacle& tentacle : started_) {
      EXPECT_TRUE(driver_.Stop(tentacle).ok());
      if (tentacle.runtime().count("pid") == 0) continue;  // a blank board never started
      EXPECT_FALSE(firmware::ProcessAlive(std::stoi(tentacle.runtime().at("pid"))));
    }
  }

  ExecPtyDriver driver_;
  std::vector<proto::Tentacle> started_;
};

std::string WriteImage(const std::string& name, const std::string& version) {
  firmware::VirtualImage image;
  image.board = "VIRTUAL";
  image.version = version;
  image.date = "2026-11-23";
  std::string path = TempPath(name);
  EXPECT_TRUE(firmware::WriteImageFile(path, image).ok());
  return path;
}

std::string VersionOf(const proto::Tentacle& tentacle) {
  auto client = repl::RawReplClient::Open(tentacle.console());
  if (!client.ok()) return client.status().ToString();
  absl::Status entered = (*client)->EnterRawRepl(In(5));
  if (!entered.ok()) return entered.ToString();
  absl::StatusOr<repl::BoardVersion> version = (*client)->ReadVersion(In(5));
  return version.ok() ? version->version : version.status().ToString();
}

TEST_F(ExecPtyDriverTest, VirtualBoardBinaryAsACommandOnAPty) {
  ASSERT_TRUE(driver_.Initialize().ok());
  absl::StatusOr<proto::Tentacle> tentacle = Discover(
      {Runfile("firmware/virtual_board"), "--stdio", "--board=VIRTUAL", "--flash={firmware}"},
      WriteImage("first.vimg", "v1.29.0-first"));
  ASSERT_TRUE(tentacle.ok()) << tentacle.status();
  absl::StatusOr<proto::Tentacle> started = Start(*tentacle);
  ASSERT_TRUE(started.ok()) << started.status();
  EXPECT_EQ(VersionOf(*started), "v1.29.0-first");

  auto client = repl::RawReplClient::Open(started->console());
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->EnterRawRepl(In(5)).ok());
  absl::StatusOr<repl::ExecResult> result = (*client)->Execute("print(6*7)", In(5));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->stdout_text, "42\r\n");

  proto::FlashRequest flash;
  *flash.mutable_tentacle() = *started;
  flash.mutable_firmware()->set_path(WriteImage("second.vimg", "v1.29.0-second"));
  ASSERT_TRUE(driver_.Flash(flash).ok());
  EXPECT_EQ(VersionOf(*started), "v1.29.0-second");
  ASSERT_TRUE(driver_.PowerCycle(*started).ok());
  EXPECT_EQ(VersionOf(*started), "v1.29.0-second");
}

TEST_F(ExecPtyDriverTest, AnnouncedPtyAsQemuSerialPty) {
  // Without --stdio the virtual board makes its own pty and prints "... /dev/pts/N ...", as
  // qemu -serial pty does; the relay serves that pty.
  absl::StatusOr<proto::Tentacle> tentacle =
      Discover({Runfile("firmware/virtual_board"), "--board=VIRTUAL", "--flash={firmware}"},
               WriteImage("announced.vimg", "v1.29.0-announced"));
  ASSERT_TRUE(tentacle.ok()) << tentacle.status();
  (*tentacle->mutable_entry()->mutable_tags())["console"] = "announced";
  absl::StatusOr<proto::Tentacle> started = Start(*tentacle);
  ASSERT_TRUE(started.ok()) << started.status();
  EXPECT_EQ(VersionOf(*started), "v1.29.0-announced");
  ASSERT_TRUE(driver_.PowerCycle(*started).ok());
  EXPECT_EQ(VersionOf(*started), "v1.29.0-announced");
  (*tentacle->mutable_entry()->mutable_tags())["console"] = "telnet";
  EXPECT_TRUE(absl::IsInvalidArgument(driver_.Start(*tentacle).status()));
}

TEST_F(ExecPtyDriverTest, UnixPortStandInRestartsOnSoftReset) {
  std::string firmware = TempPath("fake-firmware");
  std::ofstream(firmware) << "v9.9.9-fake\n";
  absl::StatusOr<proto::Tentacle> tentacle = Discover(
      {"/usr/bin/python3", Runfile("testdata/repl/fake_unix_port.py"), "{firmware}"}, firmware);
  ASSERT_TRUE(tentacle.ok()) << tentacle.status();
  absl::StatusOr<proto::Tentacle> started = Start(*tentacle);
  ASSERT_TRUE(started.ok()) << started.status();
  auto client = repl::RawReplClient::Open(started->console());
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->EnterRawRepl(In(5)).ok());  // banner ends "\r\r\n>"
  ASSERT_TRUE((*client)->Execute("x = 5", In(5)).ok());
  absl::Status reset = (*client)->SoftReset(In(10));
  ASSERT_TRUE(reset.ok()) << reset;
  absl::StatusOr<repl::ExecResult> after = (*client)->Execute("print(x)", In(5));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_NE(after->stderr_text.find("NameError"), std::string::npos) << after->stderr_text;
  absl::StatusOr<repl::BoardVersion> version = (*client)->ReadVersion(In(5));
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(version->version, "v9.9.9-fake");
}

TEST_F(ExecPtyDriverTest, BadEntriesAreClearErrors) {
  EXPECT_TRUE(absl::IsInvalidArgument(Discover({}).status()));
  // Nothing flashed and no tags.firmware: a blank board, started by its first flash.
  absl::StatusOr<proto::Tentacle> unflashed = Discover({"/bin/cat", "{firmware}"});
  ASSERT_TRUE(unflashed.ok());
  absl::StatusOr<proto::Tentacle> blank = Start(*unflashed);
  ASSERT_TRUE(blank.ok()) << blank.status();
  EXPECT_EQ(blank->state(), "unflashed");
  EXPECT_FALSE(RunningProcess(*blank).ok());
  absl::StatusOr<proto::Tentacle> placeholder = Discover({"/bin/cat", "{nope}"});
  ASSERT_TRUE(placeholder.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(Start(*placeholder).status()));
  absl::StatusOr<proto::Tentacle> missing = Discover({"/nonexistent/micropython"});
  ASSERT_TRUE(missing.ok());
  absl::Status start = Start(*missing).status();
  EXPECT_FALSE(start.ok());
  EXPECT_NE(start.message().find("/nonexistent/micropython"), std::string::npos) << start;
  EXPECT_TRUE(absl::IsNotFound(ExecPtyDriver("").Initialize()));
}

}  // namespace
}  // namespace mptest::boards
