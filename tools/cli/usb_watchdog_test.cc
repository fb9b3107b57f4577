// Tests of the USB-error watchdog: the patterns, the mode decision, a log command whose lines are
// copied and whose USB errors are handed over, commands that cannot watch, and a child that is
// stopped and reaped with its process group.
#include "tools/cli/usb_watchdog.h"

#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string TmpPath(const std::string& name) {
  return absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name);
}

// A shell script as the log command (the watchdog itself never uses a shell).
std::string Script(const std::string& name, const std::string& body) {
  std::string path = TmpPath(name);
  std::ofstream(path) << "#!/bin/sh\n" << body;
  chmod(path.c_str(), 0755);
  return path;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool Alive(pid_t pid) { return kill(pid, 0) == 0 || errno != ESRCH; }

TEST(UsbWatchdogTest, PatternsAreTheAnchors) {
  EXPECT_TRUE(IsUsbError("kernel: usb 1-1.4: device not accepting address 9, error -71"));
  EXPECT_TRUE(IsUsbError("kernel: usb 3-2: Not enough bandwidth for new device state."));
  EXPECT_TRUE(IsUsbError("kernel: usb 1-1: can't set config #1, error -71"));
  EXPECT_TRUE(IsUsbError("kernel: usb 1-1: config failed"));
  EXPECT_TRUE(IsUsbError("kernel: usb 2-1: reset high-speed USB device number 3 using xhci_hcd"));
  EXPECT_FALSE(IsUsbError("kernel: usb 1-1: new full-speed USB device number 5 using xhci_hcd"));
}

TEST(UsbWatchdogTest, AutoIsOnOnlyForSerialTentacles) {
  proto::InventoryEntry virtual_board, serial_board;
  virtual_board.set_type("virtual");
  serial_board.set_type("serial");
  EXPECT_FALSE(UsbWatchdogWanted(UsbWatchdogMode::kAuto, {virtual_board}));
  EXPECT_TRUE(UsbWatchdogWanted(UsbWatchdogMode::kAuto, {virtual_board, serial_board}));
  EXPECT_TRUE(UsbWatchdogWanted(UsbWatchdogMode::kOn, {virtual_board}));
  EXPECT_FALSE(UsbWatchdogWanted(UsbWatchdogMode::kOff, {serial_board}));
  EXPECT_EQ(*ParseUsbWatchdogMode("on"), UsbWatchdogMode::kOn);
  EXPECT_THAT(std::string(ParseUsbWatchdogMode("yes").status().message()),
              HasSubstr("--usb_watchdog: expected auto, on or off, got 'yes'"));
}

TEST(UsbWatchdogTest, CopiesEveryLineAndHandsOverUsbErrors) {
  const std::string done = TmpPath("printed");
  UsbWatchdogOptions options;
  options.command =
      Script("log.sh", absl::StrCat("echo 'kernel: usb 1-1: new device'\n"
                                    "echo 'kernel: usb 1-1: device not accepting address 7'\n"
                                    "touch ",
                                    done, "\nexec sleep 30\n"));
  options.log_path = TmpPath("journalctl.txt");
  absl::StatusOr<std::unique_ptr<UsbWatchdog>> watchdog = UsbWatchdog::Start(options);
  ASSERT_TRUE(watchdog.ok()) << watchdog.status();
  std::vector<std::string> errors;
  for (absl::Time deadline = absl::Now() + absl::Seconds(10);
       errors.empty() && absl::Now() < deadline;) {
    errors = (*watchdog)->TakeUsbErrors();
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_THAT(errors, ElementsAre("kernel: usb 1-1: device not accepting address 7"));
  EXPECT_THAT((*watchdog)->TakeUsbErrors(), IsEmpty());  // handed over once
  EXPECT_EQ((*watchdog)->TakeEndedNote(), "");           // still running
  const pid_t pid = (*watchdog)->pid();
  (*watchdog)->Stop();
  EXPECT_FALSE(Alive(pid)) << "the log command was not reaped";
  EXPECT_EQ(ReadAll(options.log_path),
            "kernel: usb 1-1: new device\nkernel: usb 1-1: device not accepting address 7\n");
}

TEST(UsbWatchdogTest, StopEndsTheWholeProcessGroup) {
  const std::string pids = TmpPath("pids");
  UsbWatchdogOptions options;
  // The shell waits for a background sleep that also ignores nothing: both must go.
  options.command = Script("group.sh", absl::StrCat("sleep 30 &\necho $! >", pids, "\nwait\n"));
  options.log_path = TmpPath("group.txt");
  absl::StatusOr<std::unique_ptr<UsbWatchdog>> watchdog = UsbWatchdog::Start(options);
  ASSERT_TRUE(watchdog.ok()) << watchdog.status();
  pid_t sleeper = 0;
  for (absl::Time deadline = absl::Now() + absl::Seconds(10);
       sleeper == 0 && absl::Now() < deadline; absl::SleepFor(absl::Milliseconds(10))) {
    sleeper = static_cast<pid_t>(std::atoi(ReadAll(pids).c_str()));
  }
  ASSERT_GT(sleeper, 0);
  watchdog->reset();  // the destructor stops it
  // The sleep was the shell's child, so init (or a subreaper) reaps it: wait a bounded time.
  for (absl::Time deadline = absl::Now() + absl::Seconds(10);
       Alive(sleeper) && absl::Now() < deadline;) {
    std::string state = ReadAll(absl::StrCat("/proc/", sleeper, "/stat"));
    if (state.find(") Z") != std::string::npos) break;  // a zombie is dead already
    absl::SleepFor(absl::Milliseconds(10));
  }
  std::string state = ReadAll(absl::StrCat("/proc/", sleeper, "/stat"));
  EXPECT_TRUE(state.empty() || state.find(") Z") != std::string::npos) << state;
}

TEST(UsbWatchdogTest, CommandsThatCannotWatchFailToStart) {
  UsbWatchdogOptions options;
  options.log_path = TmpPath("cannot.txt");
  options.command = "/nonexistent/journalctl --follow";
  EXPECT_THAT(
      std::string(UsbWatchdog::Start(options).status().message()),
      HasSubstr("the USB log command '/nonexistent/journalctl --follow' cannot be "
                "started: cannot execute '/nonexistent/journalctl': No such file or directory"));
  // journalctl in a container: it keeps running, but shows nothing.
  options.command = Script("nojournal.sh", "echo 'No journal files were found.'\nexec sleep 30\n");
  options.startup = absl::Seconds(10);  // ends as soon as the line is seen
  EXPECT_THAT(std::string(UsbWatchdog::Start(options).status().message()),
              HasSubstr("cannot watch the kernel log: it printed: No journal files were found."));
  options.command = Script("exits.sh", "exit 4\n");
  EXPECT_THAT(std::string(UsbWatchdog::Start(options).status().message()),
              HasSubstr("cannot watch the kernel log: it exited 4 at once"));
  options.command = "  ";
  EXPECT_FALSE(UsbWatchdog::Start(options).ok());
}

TEST(UsbWatchdogTest, ACommandEndingLaterIsNotedOnce) {
  const std::string go = TmpPath("go");
  UsbWatchdogOptions options;
  options.log_path = TmpPath("ends.txt");
  options.command = Script("ends.sh", absl::StrCat("while [ ! -e ", go,
                                                   " ]; do sleep 0.01; done\n"
                                                   "exit 5\n"));
  options.startup = absl::Milliseconds(1);
  absl::StatusOr<std::unique_ptr<UsbWatchdog>> watchdog = UsbWatchdog::Start(options);
  ASSERT_TRUE(watchdog.ok()) << watchdog.status();
  std::ofstream(go) << "";
  std::string note;
  for (absl::Time deadline = absl::Now() + absl::Seconds(10);
       note.empty() && absl::Now() < deadline; absl::SleepFor(absl::Milliseconds(10))) {
    note = (*watchdog)->TakeEndedNote();
  }
  EXPECT_THAT(note, HasSubstr("exited 5: USB errors are no longer watched"));
  EXPECT_EQ((*watchdog)->TakeEndedNote(), "");
}

}  // namespace
}  // namespace mptest::cli
