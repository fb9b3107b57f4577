// Firmware paths, board names and build arguments full of shell syntax (spaces, quotes, `;`,
// `$()`, backquotes, newlines) reach programs as single arguments and never through a shell:
// through the execpty driver's command, the serial driver's programmer argv template and the
// micropython_make builder's command (board build_prefix, variant and make arguments). The
// program run is argv_recorder, which writes down exactly the argv it received.
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/boards/execpty/execpty_driver.h"
#include "plugins/boards/serial/serial_driver.h"
#include "plugins/builders/micropython_make/micropython_make_builder.h"

namespace mptest {
namespace {

namespace fs = std::filesystem;

// Every shell metacharacter a path or name could carry. A shell would run `touch` (leaving a
// "pwned" file in the working directory), split on spaces or end the command at `;`.
const std::string kHostile = "a b;'q' \"d\" $(touch pwned) `touch pwned2` |&<>*?\nnext line";

std::string Temp(const std::string& name) { return absl::StrCat(getenv("TEST_TMPDIR"), "/", name); }
std::string Runfile(const std::string& path) {
  return absl::StrCat(getenv("TEST_SRCDIR"), "/mptest/", path);
}
std::string Recorder() { return Runfile("tests/security/argv_recorder"); }

// The argv of every run of argv_recorder that wrote to `path`, in order.
std::vector<std::vector<std::string>> ReadRecords(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream all;
  all << in.rdbuf();
  const std::string text = all.str();
  std::vector<std::vector<std::string>> records;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t newline = text.find('\n', pos);
    if (newline == std::string::npos) break;
    int argc = std::stoi(text.substr(pos, newline - pos));
    pos = newline + 1;
    std::vector<std::string> argv;
    for (int i = 0; i < argc; ++i) {
      size_t colon = text.find(':', pos);
      size_t length = std::stoul(text.substr(pos, colon - pos));
      argv.push_back(text.substr(colon + 1, length));
      pos = colon + 1 + length + 1;
    }
    records.push_back(argv);
  }
  return records;
}

std::string ReadLog(const std::string& path) {
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  return text.str();
}

// Waits until `path` holds at least one record.
std::vector<std::vector<std::string>> AwaitRecords(const std::string& path) {
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (absl::Now() < deadline) {
    std::vector<std::vector<std::string>> records = ReadRecords(path);
    if (!records.empty()) return records;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return {};
}

// No shell ran anything: no file named pwned* anywhere we could have been.
void ExpectNoShellRan() {
  for (const std::string& dir : {std::string(getenv("TEST_TMPDIR")), fs::current_path().string()}) {
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      EXPECT_EQ(entry.path().filename().string().rfind("pwned", 0), std::string::npos)
          << "a shell ran: " << entry.path();
    }
  }
}

TEST(ArgvTest, ExecPtyCommandAndFirmwarePathAreSingleArguments) {
  const std::string dir = Temp(absl::StrCat("execpty ", kHostile));
  ASSERT_TRUE(fs::create_directories(dir));
  const std::string firmware = dir + "/fw " + kHostile + ".bin";
  std::ofstream(firmware) << "firmware";
  const std::string record = Temp("execpty.argv");

  boards::ExecPtyDriver driver(Runfile("plugins/boards/execpty/execpty_relay"));
  ASSERT_TRUE(driver.Initialize().ok());
  proto::DiscoverRequest request;
  request.set_state_dir(dir + "/state");
  request.add_boards()->set_name("UNIX");
  proto::InventoryEntry* entry = request.mutable_inventory()->add_tentacles();
  entry->set_label("unix-1");
  entry->set_type("execpty");
  entry->set_board("UNIX");
  for (const std::string& arg : {Recorder(), record, std::string("--serve"),
                                 std::string("{firmware}"), absl::StrCat("--name=", kHostile)}) {
    entry->add_command(arg);
  }
  (*entry->mutable_tags())["firmware"] = firmware;
  absl::StatusOr<proto::DiscoverResponse> found = driver.Discover(request);
  ASSERT_TRUE(found.ok()) << found.status();
  absl::StatusOr<proto::Tentacle> started = driver.Start(found->tentacles(0));
  ASSERT_TRUE(started.ok()) << started.status();
  std::vector<std::vector<std::string>> records = AwaitRecords(record);
  EXPECT_TRUE(driver.Stop(*started).ok());

  ASSERT_FALSE(records.empty()) << "the command never ran";
  const std::vector<std::string>& argv = records.front();
  ASSERT_EQ(argv.size(), 5u) << "arguments were split or joined";
  EXPECT_EQ(argv[1], record);
  EXPECT_EQ(argv[2], "--serve");
  // {firmware} is the driver's copy of the image, one argument, holding the hostile name.
  EXPECT_NE(argv[3].find(kHostile), std::string::npos) << argv[3];
  EXPECT_EQ(argv[4], absl::StrCat("--name=", kHostile));
  ExpectNoShellRan();
}

class StaticPorts : public boards::PortEnumerator {
 public:
  explicit StaticPorts(boards::UsbPortInfo port) : port_(std::move(port)) {}
  absl::StatusOr<std::vector<boards::UsbPortInfo>> List() override {
    return std::vector<boards::UsbPortInfo>{port_};
  }

 private:
  boards::UsbPortInfo port_;
};

TEST(ArgvTest, SerialProgrammerTemplateKeepsPlaceholdersAsSingleArguments) {
  const std::string dir = Temp(absl::StrCat("serial ", kHostile));
  ASSERT_TRUE(fs::create_directories(dir));
  boards::UsbPortInfo port;
  port.port = dir + "/tty " + kHostile;
  std::ofstream(port.port) << "";
  port.vid = 0x2e8a;
  port.pid = 0x0005;
  port.serial = "SERIAL " + kHostile;
  port.location = "1-2.3";
  port.bus = 1;
  port.address = 7;
  boards::SerialDriverOptions options;
  options.reappear_timeout = absl::Seconds(2);
  boards::SerialDriver driver(std::make_unique<StaticPorts>(port), options);

  proto::DiscoverRequest request;
  request.set_state_dir(dir + "/state");
  proto::BoardDefinition* board = request.add_boards();
  board->set_name("RPI_PICO");
  board->mutable_usb_application()->set_vid(0x2e8a);
  board->mutable_usb_application()->set_pid(0x0005);
  proto::InventoryEntry* entry = request.mutable_inventory()->add_tentacles();
  entry->set_label("pico-1");
  entry->set_type("serial");
  entry->set_board("RPI_PICO");
  entry->set_usb_serial(port.serial);
  absl::StatusOr<proto::DiscoverResponse> found = driver.Discover(request);
  ASSERT_TRUE(found.ok()) << found.status();

  const std::string record = Temp("serial.argv");
  proto::FlashRequest flash;
  *flash.mutable_tentacle() = found->tentacles(0);
  proto::Programmer* programmer = flash.mutable_tentacle()->mutable_board()->mutable_programmer();
  programmer->set_name("recorder");
  for (const std::string& arg :
       {Recorder(), record, std::string("--firmware={firmware}"), std::string("{port}"),
        std::string("{serial}"), absl::StrCat("literal ", kHostile)}) {
    programmer->add_argv(arg);
  }
  programmer->set_timeout_s(10);
  const std::string firmware = dir + "/fw " + kHostile + ".uf2";
  std::ofstream(firmware) << "firmware";
  flash.mutable_firmware()->set_path(firmware);
  flash.set_log_path(dir + "/flash.log");
  absl::Status flashed = driver.Flash(flash);
  EXPECT_TRUE(flashed.ok()) << flashed;

  std::vector<std::vector<std::string>> records = ReadRecords(record);
  ASSERT_EQ(records.size(), 1u) << "the programmer ran " << records.size() << " times";
  const std::vector<std::string> expected = {
      Recorder(), record,      "--firmware=" + firmware,
      port.port,  port.serial, absl::StrCat("literal ", kHostile)};
  EXPECT_EQ(records[0], expected);
  ExpectNoShellRan();
}

TEST(ArgvTest, MicropythonMakeBuildCommandKeepsArgumentsWhole) {
  // A source directory with shell syntax in its name is refused up front (git specs have no
  // spaces or control characters), with a message that says so.
  micropython_make::MicropythonMakeBuilder builder;
  proto::BuildRequest hostile_source;
  hostile_source.set_source(Temp(absl::StrCat("micropython ", kHostile)));
  hostile_source.mutable_board()->set_name("UNIX");
  hostile_source.mutable_board()->set_port("unix");
  hostile_source.set_output_dir(Temp("out-refused"));
  hostile_source.set_cache_dir(Temp("cache"));
  absl::Status refused = builder.Build(hostile_source).status();
  EXPECT_TRUE(absl::IsInvalidArgument(refused)) << refused;
  EXPECT_THAT(std::string(refused.message()), ::testing::HasSubstr("space or control character"));

  fs::create_directories(Temp("cache"));
  const std::string tree = Temp("micropython");
  fs::copy(Runfile("testdata/fake_micropython"), tree, fs::copy_options::recursive);
  const std::string record = Temp("make.argv");
  proto::BuildRequest request;
  request.set_source(tree);
  proto::BoardDefinition* board = request.mutable_board();
  board->set_name("UNIX");
  board->set_port("unix");
  board->add_build_prefix(Recorder());
  board->add_build_prefix(record);
  board->add_build_prefix(absl::StrCat("prefix ", kHostile));
  board->add_build_prefix("{tree}");
  request.set_variant("coverage");
  request.add_args(absl::StrCat("EXTRA=", kHostile));
  request.set_output_dir(Temp(absl::StrCat("out ", kHostile)));
  request.set_cache_dir(Temp("cache"));
  request.set_jobs(1);
  // The recorder builds nothing, so the build itself fails (no artifact); what matters is how
  // the commands were run.
  absl::StatusOr<proto::Firmware> built = builder.Build(request);
  EXPECT_FALSE(built.ok());

  std::vector<std::vector<std::string>> records = ReadRecords(record);
  ASSERT_FALSE(records.empty()) << "no build command ran: " << built.status() << "\n"
                                << ReadLog(request.output_dir() + "/build.log");
  bool saw_make_args = false;
  for (const std::vector<std::string>& argv : records) {
    ASSERT_GE(argv.size(), 4u);
    EXPECT_EQ(argv[2], absl::StrCat("prefix ", kHostile));
    EXPECT_EQ(fs::path(argv[3]).filename().string(), fs::path(tree).filename().string());
    if (std::find(argv.begin(), argv.end(), absl::StrCat("EXTRA=", kHostile)) != argv.end()) {
      saw_make_args = true;
    }
  }
  EXPECT_TRUE(saw_make_args) << "the make command with EXTRA=... never ran";
  ExpectNoShellRan();
}

}  // namespace
}  // namespace mptest
