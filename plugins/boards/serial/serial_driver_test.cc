// The serial tentacle type against ptys (a virtual board stands in for a USB board) and a fake
// enumeration and sysfs tree: matching by serial and location, USB ids, programmers (success,
// failure, timeout, bad templates), sysfs power cycling and its clean skip.
#include "plugins/boards/serial/serial_driver.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "core/repl/raw_repl_client.h"
#include "firmware/image.h"
#include "firmware/test_board.h"
#include "gtest/gtest.h"

namespace mptest::boards {
namespace {

namespace fs = std::filesystem;

absl::Time In(double seconds) { return absl::Now() + absl::Seconds(seconds); }
std::string Temp(const std::string& name) { return absl::StrCat(getenv("TEST_TMPDIR"), "/", name); }

class FakeEnumerator : public PortEnumerator {
 public:
  explicit FakeEnumerator(std::vector<UsbPortInfo>* ports) : ports_(ports) {}
  absl::StatusOr<std::vector<UsbPortInfo>> List() override { return *ports_; }

 private:
  std::vector<UsbPortInfo>* ports_;
};

class SerialDriverTest : public testing::Test {
 protected:
  SerialDriverTest() {
    SerialDriverOptions options;
    options.power_off_time = absl::Milliseconds(5);
    options.reappear_timeout = absl::Seconds(2);
    driver_ = std::make_unique<SerialDriver>(std::make_unique<FakeEnumerator>(&ports_), options);
    UsbPortInfo other;
    other.port = "/dev/ttyACM9";
    other.vid = 0x303a;
    other.pid = 0x1001;
    other.serial = "OTHER";
    other.location = "1-4";
    ports_.push_back(other);
  }

  void AddBoardPort(const std::string& console) {
    UsbPortInfo pico;
    pico.port = console;
    pico.vid = 0x2e8a;
    pico.pid = 0x0005;
    pico.serial = "E6614C311B";
    pico.manufacturer = "MicroPython";
    pico.product = "Board in FS mode";
    pico.bus = 1;
    pico.address = 7;
    pico.location = "1-2.3";
    pico.sysfs_device = Temp("sys/devices/usb1/1-2/1-2.3");
    ports_.push_back(pico);
  }

  proto::DiscoverRequest Request(const std::string& serial, const std::string& location) {
    proto::DiscoverRequest request;
    request.set_state_dir(Temp("state"));
    proto::BoardDefinition* board = request.add_boards();
    board->set_name("RPI_PICO");
    board->mutable_usb_application()->set_vid(0x2e8a);
    board->mutable_usb_application()->set_pid(0x0005);
    proto::InventoryEntry* entry = request.mutable_inventory()->add_tentacles();
    entry->set_label("pico-1");
    entry->set_type("serial");
    entry->set_board("RPI_PICO");
    entry->set_usb_serial(serial);
    entry->set_usb_location(location);
    return request;
  }

  std::vector<UsbPortInfo> ports_;
  std::unique_ptr<SerialDriver> driver_;
};

TEST_F(SerialDriverTest, MatchesBySerialAndTalksToTheBoard) {
  absl::StatusOr<std::unique_ptr<firmware::TestBoard>> board = firmware::TestBoard::Start();
  ASSERT_TRUE(board.ok()) << board.status();
  AddBoardPort((*board)->console());
  absl::StatusOr<proto::DiscoverResponse> found = driver_->Discover(Request("E6614C311B", ""));
  ASSERT_TRUE(found.ok()) << found.status();
  const proto::Tentacle& tentacle = found->tentacles(0);
  EXPECT_EQ(tentacle.console(), (*board)->console());
  EXPECT_EQ(tentacle.runtime().at("usb_location"), "1-2.3");
  EXPECT_EQ(tentacle.runtime().at("baud"), "115200");
  auto client = repl::RawReplClient::Open(tentacle.console(), 115200);
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE((*client)->EnterRawRepl(In(5)).ok());
  absl::StatusOr<repl::ExecResult> result = (*client)->Execute("print('serial')", In(5));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->stdout_text, "serial\r\n");
  EXPECT_TRUE(driver_->Stop(tentacle).ok());
}

TEST_F(SerialDriverTest, MatchesByLocation) {
  AddBoardPort("/dev/ttyACM0");
  absl::StatusOr<proto::DiscoverResponse> found = driver_->Discover(Request("", "1-2.3"));
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->tentacles(0).console(), "/dev/ttyACM0");
}

TEST_F(SerialDriverTest, MissingBoardNamesLabelAndPortsSeen) {
  absl::Status status = driver_->Discover(Request("NOPE", "")).status();
  EXPECT_TRUE(absl::IsNotFound(status)) << status;
  EXPECT_NE(status.message().find("pico-1"), std::string::npos);
  EXPECT_NE(status.message().find("NOPE"), std::string::npos);
  EXPECT_NE(status.message().find("/dev/ttyACM9"), std::string::npos);
  EXPECT_TRUE(absl::IsInvalidArgument(driver_->Discover(Request("", "")).status()));
}

TEST_F(SerialDriverTest, WrongUsbIdIsRefused) {
  absl::Status status = driver_->Discover(Request("OTHER", "")).status();
  EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
  EXPECT_NE(status.message().find("303a:1001"), std::string::npos) << status;
}

TEST_F(SerialDriverTest, FlashesThroughTheProgrammerTemplate) {
  absl::StatusOr<std::unique_ptr<firmware::TestBoard>> board = firmware::TestBoard::Start();
  ASSERT_TRUE(board.ok()) << board.status();
  AddBoardPort((*board)->console());
  absl::StatusOr<proto::DiscoverResponse> found = driver_->Discover(Request("E6614C311B", ""));
  ASSERT_TRUE(found.ok()) << found.status();
  firmware::VirtualImage image = firmware::TestBoard::DefaultImage();
  image.version = "v1.29.0-serial-flashed";
  const std::string image_path = Temp("serial.vimg");
  ASSERT_TRUE(firmware::WriteImageFile(image_path, image).ok());

  proto::FlashRequest flash;
  *flash.mutable_tentacle() = found->tentacles(0);
  proto::Programmer* programmer = flash.mutable_tentacle()->mutable_board()->mutable_programmer();
  programmer->set_name("fake_programmer");
  for (std::string arg :
       {std::string("/usr/bin/python3"),
        absl::StrCat(getenv("TEST_SRCDIR"), "/mptest/plugins/boards/serial/fake_programmer.py"),
        std::string("{firmware}"), (*board)->flash_path(), absl::StrCat((*board)->pid())}) {
    programmer->add_argv(arg);
  }
  programmer->set_timeout_s(20);
  flash.mutable_firmware()->set_path(image_path);
  flash.set_log_path(Temp("flash.log"));
  absl::Status flashed = driver_->Flash(flash);
  ASSERT_TRUE(flashed.ok()) << flashed;
  std::stringstream log;
  log << std::ifstream(flash.log_path()).rdbuf();
  EXPECT_NE(log.str().find("fake_programmer: loaded " + image_path), std::string::npos);

  absl::Time deadline = In(5);
  std::string version;
  while (version != image.version && absl::Now() < deadline) {
    auto client = repl::RawReplClient::Open((*board)->console());
    ASSERT_TRUE(client.ok());
    if (!(*client)->EnterRawRepl(In(1)).ok()) continue;
    absl::StatusOr<repl::BoardVersion> reported = (*client)->ReadVersion(In(2));
    if (reported.ok()) version = reported->version;
  }
  EXPECT_EQ(version, image.version);
}

TEST_F(SerialDriverTest, ProgrammerFailuresAreErrors) {
  AddBoardPort("/dev/ttyACM0");
  absl::StatusOr<proto::DiscoverResponse> found = driver_->Discover(Request("E6614C311B", ""));
  ASSERT_TRUE(found.ok());
  proto::FlashRequest flash;
  *flash.mutable_tentacle() = found->tentacles(0);
  flash.mutable_firmware()->set_path("/fw.uf2");
  EXPECT_TRUE(absl::IsFailedPrecondition(driver_->Flash(flash)));  // no programmer
  proto::Programmer* programmer = flash.mutable_tentacle()->mutable_board()->mutable_programmer();
  programmer->set_name("false");
  programmer->add_argv("/bin/false");
  absl::Status failed = driver_->Flash(flash);
  EXPECT_TRUE(absl::IsInternal(failed)) << failed;
  EXPECT_NE(failed.message().find("exited 1"), std::string::npos) << failed;
  programmer->clear_argv();
  programmer->add_argv("/bin/sleep");
  programmer->add_argv("30");
  programmer->set_timeout_s(1);
  absl::Time start = absl::Now();
  absl::Status slow = driver_->Flash(flash);
  EXPECT_TRUE(absl::IsDeadlineExceeded(slow)) << slow;
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  programmer->clear_argv();
  programmer->add_argv("picotool");
  programmer->add_argv("{nope}");
  EXPECT_TRUE(absl::IsInvalidArgument(driver_->Flash(flash)));
}

TEST_F(SerialDriverTest, PowerCycleThroughSysfsOrSkipped) {
  AddBoardPort("/dev/ttyACM0");
  absl::StatusOr<proto::DiscoverResponse> found = driver_->Discover(Request("E6614C311B", ""));
  ASSERT_TRUE(found.ok());
  absl::Status skipped = driver_->PowerCycle(found->tentacles(0));
  EXPECT_TRUE(absl::IsUnimplemented(skipped)) << skipped;
  const std::string port_dir = Temp("sys/devices/usb1/1-2/1-2.3/port");
  fs::create_directories(port_dir);
  std::ofstream(port_dir + "/disable") << "0";
  absl::Status cycled = driver_->PowerCycle(found->tentacles(0));
  ASSERT_TRUE(cycled.ok()) << cycled;
  std::stringstream content;
  content << std::ifstream(port_dir + "/disable").rdbuf();
  EXPECT_EQ(content.str(), "0");
}

TEST(PortEnumeratorTest, LocationFromAFakeSysfsTree) {
  const std::string root = Temp("fakesys");
  const std::string interface = root + "/devices/pci0/usb1/1-2/1-2.3/1-2.3:1.0";
  fs::create_directories(interface + "/tty/ttyACM0");
  fs::create_directories(root + "/class/tty/ttyACM0");
  fs::create_symlink(interface, root + "/class/tty/ttyACM0/device");
  fs::create_directories(root + "/devices/platform/serial8250");
  fs::create_directories(root + "/class/tty/ttyS0");
  fs::create_symlink(root + "/devices/platform/serial8250", root + "/class/tty/ttyS0/device");
  std::string device, location;
  UsbLocationFromSysfs(root, "ttyACM0", &device, &location);
  EXPECT_EQ(location, "1-2.3");
  EXPECT_EQ(device, fs::canonical(root + "/devices/pci0/usb1/1-2/1-2.3").string());
  UsbLocationFromSysfs(root, "ttyS0", &device, &location);
  EXPECT_EQ(location, "");
  UsbLocationFromSysfs(root, "ttyUSB5", &device, &location);
  EXPECT_EQ(device, "");
}

TEST(PortEnumeratorTest, LibSerialPortListsThisMachine) {
  // Whatever is plugged in (often nothing): the call itself must work and report USB ports only.
  absl::StatusOr<std::vector<UsbPortInfo>> ports = LibSerialPortEnumerator().List();
  ASSERT_TRUE(ports.ok()) << ports.status();
  for (const UsbPortInfo& port : *ports) EXPECT_FALSE(port.port.empty());
}

}  // namespace
}  // namespace mptest::boards
