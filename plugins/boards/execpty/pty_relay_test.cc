// The execpty relay as a program: the unix port's line ends translated in both directions, an
// immediate restart when the client's Ctrl-D made the command exit (the unix port's soft reset),
// and a growing delay for a command that keeps dying on its own.
#include <stdlib.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/pty/pty.h"
#include "firmware/launcher.h"
#include "gtest/gtest.h"

namespace mptest::boards {
namespace {

absl::Time In(double seconds) { return absl::Now() + absl::Seconds(seconds); }

std::string TempPath(const std::string& name) {
  return absl::StrCat(getenv("TEST_TMPDIR"), "/", name);
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A unix-port-like command: prints a bare-\n greeting, then for each "." it receives prints
// the repr of what came before it; Ctrl-D makes it print OK and exit (a soft reset).
constexpr char kEchoCommand[] =
    "import os, sys\n"
    "os.write(1, b'ready\\n')\n"
    "got = b''\n"
    "while True:\n"
    "    data = os.read(0, 4096)\n"
    "    if not data: sys.exit(0)\n"
    "    for c in data:\n"
    "        if c == 4:\n"
    "            os.write(1, b'OK\\r\\n'); sys.exit(0)\n"
    "        if c == ord('.'):\n"
    "            os.write(1, repr(got).encode() + b'\\n'); got = b''\n"
    "        else:\n"
    "            got += bytes([c])\n";

class RelayProcess {
 public:
  explicit RelayProcess(const std::string& name, std::vector<std::string> flags,
                        std::vector<std::string> command)
      : link_(TempPath(name + ".tty")), log_(TempPath(name + ".log")) {
    std::vector<std::string> argv = {
        absl::StrCat(getenv("TEST_SRCDIR"), "/mptest/plugins/boards/execpty/execpty_relay"),
        absl::StrCat("--link=", link_)};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.push_back("--");
    argv.insert(argv.end(), command.begin(), command.end());
    absl::StatusOr<pid_t> pid =
        firmware::LaunchProcess(argv, log_, link_, /*detach=*/false, absl::Seconds(10));
    EXPECT_TRUE(pid.ok()) << pid.status();
    pid_ = pid.ok() ? *pid : -1;
  }
  ~RelayProcess() {
    if (pid_ > 0) {
      EXPECT_TRUE(firmware::StopBoard(pid_).ok());
      EXPECT_FALSE(firmware::ProcessAlive(pid_));
    }
  }
  const std::string& link() const { return link_; }
  std::string Log() const { return ReadText(log_); }

 private:
  std::string link_;
  std::string log_;
  pid_t pid_;
};

// Reads from fd until the bytes end with `suffix`; returns them, or what came before the error.
std::string ReadUntil(int fd, absl::string_view suffix, absl::Time deadline) {
  std::string seen;
  while (!absl::EndsWith(seen, suffix)) {
    absl::StatusOr<std::string> chunk = pty::ReadSome(fd, deadline);
    if (!chunk.ok()) return absl::StrCat(seen, " [", chunk.status().ToString(), "]");
    seen += *chunk;
  }
  return seen;
}

TEST(PtyRelayTest, UnixLineEndsInBothDirections) {
  RelayProcess relay("unix", {"--unix_line_ends"}, {"/usr/bin/python3", "-c", kEchoCommand});
  absl::StatusOr<pty::UniqueFd> tty = pty::OpenTty(relay.link());
  ASSERT_TRUE(tty.ok()) << tty.status();
  EXPECT_EQ(ReadUntil(tty->get(), "\n", In(10)), "ready\r\n");
  ASSERT_TRUE(pty::WriteAll(tty->get(), "a\r\nb\nc.", In(5)).ok());
  EXPECT_EQ(ReadUntil(tty->get(), "\n", In(10)), "b'a\\rb\\nc'\r\n");
}

TEST(PtyRelayTest, WithoutTheFlagBytesPassAsTheyAre) {
  RelayProcess relay("plain", {}, {"/usr/bin/python3", "-c", kEchoCommand});
  absl::StatusOr<pty::UniqueFd> tty = pty::OpenTty(relay.link());
  ASSERT_TRUE(tty.ok()) << tty.status();
  EXPECT_EQ(ReadUntil(tty->get(), "\n", In(10)), "ready\n");
  ASSERT_TRUE(pty::WriteAll(tty->get(), "a\r\nb.", In(5)).ok());
  EXPECT_EQ(ReadUntil(tty->get(), "\n", In(10)), "b'a\\r\\nb'\n");
}

TEST(PtyRelayTest, ExitAfterTheClientsCtrlDRestartsAtOnce) {
  RelayProcess relay("reset", {"--unix_line_ends"}, {"/usr/bin/python3", "-c", kEchoCommand});
  absl::StatusOr<pty::UniqueFd> tty = pty::OpenTty(relay.link());
  ASSERT_TRUE(tty.ok()) << tty.status();
  EXPECT_EQ(ReadUntil(tty->get(), "\n", In(10)), "ready\r\n");
  for (int reset = 0; reset < 3; ++reset) {
    ASSERT_TRUE(pty::WriteAll(tty->get(), "\x04", In(5)).ok());
    EXPECT_EQ(ReadUntil(tty->get(), "ready\r\n", In(10)), "OK\r\nMPY: soft reboot\r\nready\r\n");
  }
  EXPECT_FALSE(absl::StrContains(relay.Log(), "restarting in")) << relay.Log();
}

TEST(PtyRelayTest, ACommandKilledByASignalIsReportedAsACrashNotASoftReset) {
  RelayProcess relay("crash", {}, {"/usr/bin/python3", "-c", kEchoCommand});
  absl::StatusOr<pty::UniqueFd> tty = pty::OpenTty(relay.link());
  ASSERT_TRUE(tty.ok()) << tty.status();
  EXPECT_EQ(ReadUntil(tty->get(), "\n", In(10)), "ready\n");
  ASSERT_TRUE(pty::WriteAll(tty->get(), "x", In(5)).ok());  // the client wrote: no back-off
  const std::string pids = relay.Log();
  std::string command_pid;
  for (absl::string_view line : absl::StrSplit(pids, '\n')) {
    if (absl::StrContains(line, "started pid ")) {
      command_pid = std::string(line.substr(line.find("started pid ") + 12));
      command_pid = command_pid.substr(0, command_pid.find(':'));
    }
  }
  ASSERT_FALSE(command_pid.empty()) << pids;
  ASSERT_EQ(kill(std::stoi(command_pid), SIGKILL), 0);
  EXPECT_EQ(ReadUntil(tty->get(), "ready\n", In(10)),
            "\r\n[mptest-execpty: the board's process was killed by signal 9 (Killed): "
            "restarted]\r\nsoft reboot\r\nready\n");
}

// Waits until the relay's log holds `text` (the relay logs every pause and continue).
bool LogShows(const RelayProcess& relay, absl::string_view text, int times = 1) {
  const absl::Time deadline = In(10);
  while (absl::Now() < deadline) {
    const std::string log = relay.Log();
    int seen = 0;
    const absl::string_view view = log;
    for (size_t at = view.find(text); at != view.npos; at = view.find(text, at + 1)) ++seen;
    if (seen >= times) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return false;
}

// The state letter of a process (/proc/<pid>/stat): 'T' when stopped.
char ProcessState(pid_t pid) {
  const std::string stat = ReadText(absl::StrCat("/proc/", pid, "/stat"));
  const size_t paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size() ? '?' : stat[paren + 2];
}

TEST(PtyRelayTest, UnwatchedCommandIsPausedAndContinuesWhenAClientOpens) {
  RelayProcess relay("pause", {"--pause_when_unwatched=200ms"},
                     {"/usr/bin/python3", "-c", kEchoCommand});
  ASSERT_TRUE(LogShows(relay, "command paused")) << relay.Log();
  const std::string log = relay.Log();
  const size_t at = log.find("started pid ");
  ASSERT_NE(at, std::string::npos) << log;
  const pid_t command = std::atoi(log.c_str() + at + 12);
  EXPECT_EQ(ProcessState(command), 'T');
  {
    absl::StatusOr<pty::UniqueFd> tty = pty::OpenTty(relay.link());
    ASSERT_TRUE(tty.ok()) << tty.status();
    ASSERT_TRUE(pty::WriteAll(tty->get(), "x.", In(5)).ok());
    EXPECT_EQ(ReadUntil(tty->get(), "'x'\n", In(10)), "ready\nb'x'\n");
    EXPECT_NE(ProcessState(command), 'T');
    EXPECT_TRUE(absl::StrContains(relay.Log(), "command continued"));
  }
  // The client closed the console: paused again.
  ASSERT_TRUE(LogShows(relay, "command paused", 2)) << relay.Log();
  EXPECT_EQ(ProcessState(command), 'T');
}

TEST(PtyRelayTest, CommandDyingOnItsOwnIsRestartedWithGrowingDelays) {
  RelayProcess relay("crashing", {}, {"/bin/true"});
  const absl::Time deadline = In(10);
  std::string log = relay.Log();
  while (!absl::StrContains(log, "restarting in 400ms") && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
    log = relay.Log();
  }
  size_t at_50 = log.find("restarting in 50ms");
  size_t at_100 = log.find("restarting in 100ms");
  size_t at_200 = log.find("restarting in 200ms");
  size_t at_400 = log.find("restarting in 400ms");
  ASSERT_NE(at_400, std::string::npos) << log;
  EXPECT_LT(at_50, at_100);
  EXPECT_LT(at_100, at_200);
  EXPECT_LT(at_200, at_400);
}

}  // namespace
}  // namespace mptest::boards
