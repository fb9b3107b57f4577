// The virtual_board program over its real pty, byte for byte: boot banner, friendly REPL
// (expressions, Ctrl-C of running code, Ctrl-B, paste mode, soft reset), raw-paste header,
// the machine-readable announcement, --stdio mode, and that stopping it leaves no interpreter.
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/pty/pty.h"
#include "firmware/test_board.h"
#include "gtest/gtest.h"

namespace mptest::firmware {
namespace {

absl::Time In(double seconds) { return absl::Now() + absl::Seconds(seconds); }

// Reads until the received bytes end with `suffix` (or 5 s pass).
std::string ReadUntil(int fd, absl::string_view suffix) {
  std::string got;
  absl::Time deadline = In(5);
  while (!absl::EndsWith(got, suffix)) {
    absl::StatusOr<std::string> chunk = pty::ReadSome(fd, deadline);
    if (!chunk.ok()) break;
    got += *chunk;
  }
  return got;
}

const char kBanner[] =
    "MicroPython v1.29.0-test on 2026-11-23; VIRTUAL with CPython\r\n"
    "Type \"help()\" for more information.\r\n";

class VirtualBoardTest : public testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<TestBoard>> board = TestBoard::Start();
    ASSERT_TRUE(board.ok()) << board.status();
    board_ = std::move(*board);
    absl::StatusOr<pty::UniqueFd> fd = pty::OpenTty(board_->console());
    ASSERT_TRUE(fd.ok()) << fd.status();
    fd_ = std::move(*fd);
    // The boot banner is waiting in the pty.
    ASSERT_EQ(ReadUntil(fd_.get(), ">>> "), std::string(kBanner) + ">>> ");
  }
  void Send(absl::string_view bytes) { ASSERT_TRUE(pty::WriteAll(fd_.get(), bytes, In(5)).ok()); }

  std::unique_ptr<TestBoard> board_;
  pty::UniqueFd fd_;
};

TEST_F(VirtualBoardTest, FriendlyReplEchoesAndPrintsValues) {
  Send("6*7\r");
  EXPECT_EQ(ReadUntil(fd_.get(), ">>> "), "6*7\r\n42\r\n>>> ");
  Send("1/0\r");
  EXPECT_EQ(ReadUntil(fd_.get(), ">>> "),
            "1/0\r\nTraceback (most recent call last):\r\n  File \"<stdin>\", line 1, in "
            "<module>\r\nZeroDivisionError: divide by zero\r\n>>> ");
}

TEST_F(VirtualBoardTest, CtrlCInterruptsRunningCode) {
  Send("while True: pass\r\r");  // a compound statement continues until an empty line
  EXPECT_EQ(ReadUntil(fd_.get(), "... \r\n"), "while True: pass\r\n... \r\n");
  absl::SleepFor(absl::Milliseconds(100));  // let it run; Ctrl-C must stop it anyway
  Send("\x03");
  EXPECT_EQ(ReadUntil(fd_.get(), ">>> "),
            "Traceback (most recent call last):\r\n  File \"<stdin>\", line 1, in "
            "<module>\r\nKeyboardInterrupt: \r\n>>> ");
  Send("print('after')\r");
  EXPECT_EQ(ReadUntil(fd_.get(), ">>> "), "print('after')\r\nafter\r\n>>> ");
}

TEST_F(VirtualBoardTest, BannerPasteAndSoftReset) {
  Send("\x02");
  EXPECT_EQ(ReadUntil(fd_.get(), ">>> "), std::string("\r\n") + kBanner + ">>> ");
  Send("\x05y = 3\rprint(y * 2)\x04");
  EXPECT_EQ(ReadUntil(fd_.get(), ">>> "),
            "\r\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== y = 3\r\n=== print(y * "
            "2)\r\n6\r\n>>> ");
  Send("\x04");
  EXPECT_EQ(ReadUntil(fd_.get(), ">>> "),
            std::string("\r\nMPY: soft reboot\r\n") + kBanner + ">>> ");
  Send("y\r");
  EXPECT_NE(ReadUntil(fd_.get(), ">>> ").find("NameError: name 'y' isn't defined"),
            std::string::npos);
}

TEST_F(VirtualBoardTest, RawPasteHeaderAsTheQemuBoard) {
  Send("\r\x01");
  EXPECT_EQ(ReadUntil(fd_.get(), "exit\r\n>"), "\r\n>>> \r\nraw REPL; CTRL-B to exit\r\n>");
  Send(
      "\x05"
      "A\x01");
  EXPECT_EQ(ReadUntil(fd_.get(), "\x01"), std::string("R\x01\x80\x00\x01", 5));
  Send("print(5)\x04");
  EXPECT_EQ(ReadUntil(fd_.get(), ">"),
            "\x04"
            "5\r\n\x04\x04>");
}

std::vector<pid_t> ChildrenOf(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/task/", pid, "/children"));
  std::vector<pid_t> children;
  for (pid_t child; in >> child;) children.push_back(child);
  return children;
}

TEST_F(VirtualBoardTest, StopLeavesNoInterpreterBehind) {
  std::vector<pid_t> children = ChildrenOf(board_->pid());
  ASSERT_EQ(children.size(), 1u);  // the CPython interpreter
  pid_t interpreter = children[0];
  board_->ExpectExit();
  ASSERT_TRUE(StopBoard(board_->pid()).ok());
  absl::Time deadline = In(5);
  while (kill(interpreter, 0) == 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(5));
  EXPECT_NE(kill(interpreter, 0), 0) << "interpreter " << interpreter << " outlived its board";
  std::stringstream log;
  log << std::ifstream(board_->log_path()).rdbuf();
  EXPECT_NE(log.str().find("mptest-virtual-board: pty /dev/pts/"), std::string::npos) << log.str();
}

TEST(VirtualBoardStdioTest, ServesItsOwnConsoleUnderAPty) {
  const std::string flash = absl::StrCat(getenv("TEST_TMPDIR"), "/stdio.flash");
  ASSERT_TRUE(WriteImageFile(flash, TestBoard::DefaultImage()).ok());
  absl::StatusOr<pty::PtyProcess> board = pty::SpawnOnPty(
      {TestBoard::BinaryPath(), "--stdio", "--board=VIRTUAL", absl::StrCat("--flash=", flash)});
  ASSERT_TRUE(board.ok()) << board.status();
  std::string boot = ReadUntil(board->master.get(), ">>> ");
  EXPECT_TRUE(absl::EndsWith(boot, std::string(kBanner) + ">>> ")) << boot;
  ASSERT_TRUE(pty::WriteAll(board->master.get(), "\r\x01print(2+2)\x04", In(5)).ok());
  EXPECT_TRUE(absl::EndsWith(ReadUntil(board->master.get(), "\x04\x04>"), "OK4\r\n\x04\x04>"));
  kill(board->pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(board->pid, &status, 0), board->pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST(VirtualBoardStdioTest, BrokenInterpreterLeavesTheBoardUnbootableNotLooping) {
  const std::string flash = absl::StrCat(getenv("TEST_TMPDIR"), "/broken.flash");
  ASSERT_TRUE(WriteImageFile(flash, TestBoard::DefaultImage()).ok());
  for (const char* python : {"/nonexistent/python3", "/bin/false"}) {
    absl::StatusOr<pty::PtyProcess> board =
        pty::SpawnOnPty({TestBoard::BinaryPath(), "--stdio", "--board=VIRTUAL",
                         absl::StrCat("--flash=", flash), absl::StrCat("--python=", python)});
    ASSERT_TRUE(board.ok()) << board.status();
    // Its log goes to the console too (stderr is the pty): it says why, then stays silent.
    const std::string why = std::string(python) == "/bin/false"
                                ? "died while starting\n"
                                : "is not executable: No such file or directory\n";
    std::string said = ReadUntil(board->master.get(), why);
    EXPECT_TRUE(absl::EndsWith(said, why)) << said;
    absl::StatusOr<std::string> more =
        pty::Drain(board->master.get(), absl::Milliseconds(300), In(2));
    ASSERT_TRUE(more.ok());
    EXPECT_EQ(more->find("booting"), std::string::npos) << "reboot loop: " << *more;
    kill(board->pid, SIGTERM);
    int status = 0;
    ASSERT_EQ(waitpid(board->pid, &status, 0), board->pid);
  }
}

TEST(VirtualBoardFlagsTest, BadFlagsAreRejected) {
  for (std::vector<std::string> argv :
       {std::vector<std::string>{TestBoard::BinaryPath()},
        {TestBoard::BinaryPath(), "--flash=/x", "--raw_paste=maybe"},
        {TestBoard::BinaryPath(), "--flash=/x", "--faults=no_such_field: 1"}}) {
    absl::StatusOr<pty::PtyProcess> process = pty::SpawnOnPty(argv);
    ASSERT_TRUE(process.ok());
    int status = 0;
    ASSERT_EQ(waitpid(process->pid, &status, 0), process->pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << argv.back();
  }
}

}  // namespace
}  // namespace mptest::firmware
