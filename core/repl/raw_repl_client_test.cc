// Drives a virtual board (//firmware:virtual_board) through every raw-REPL path and every
// fault with the native client. Every call has a deadline; every board is stopped by its
// TestBoard.
#include "core/repl/raw_repl_client.h"

#include <signal.h>

#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "firmware/test_board.h"
#include "gtest/gtest.h"

namespace mptest::repl {
namespace {

using firmware::TestBoard;

absl::Time In(double seconds) { return absl::Now() + absl::Seconds(seconds); }

struct Connected {
  std::unique_ptr<TestBoard> board;
  std::unique_ptr<RawReplClient> client;
};

Connected Connect(const proto::VirtualFaults& faults = {}, std::vector<std::string> args = {},
                  ClientOptions options = {}) {
  Connected c;
  absl::StatusOr<std::unique_ptr<TestBoard>> board = TestBoard::Start(faults, args);
  EXPECT_TRUE(board.ok()) << board.status();
  if (!board.ok()) return c;
  c.board = std::move(*board);
  absl::StatusOr<std::unique_ptr<RawReplClient>> client =
      RawReplClient::Open(c.board->console(), 115200, options);
  EXPECT_TRUE(client.ok()) << client.status();
  if (client.ok()) c.client = std::move(*client);
  return c;
}

TEST(RawReplClientTest, ExecutesPrintsAndTracebacksLikeABoard) {
  Connected c = Connect();
  ASSERT_TRUE(c.client);
  ASSERT_TRUE(c.client->EnterRawRepl(In(5)).ok());
  absl::StatusOr<ExecResult> two = c.client->Execute("print(1+1)", In(5));
  ASSERT_TRUE(two.ok()) << two.status();
  EXPECT_EQ(two->stdout_text, "2\r\n");
  EXPECT_FALSE(two->raised());
  absl::StatusOr<ExecResult> error = c.client->Execute("1/0", In(5));
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_EQ(error->stdout_text, "");
  EXPECT_EQ(error->stderr_text,
            "Traceback (most recent call last):\r\n  File \"<stdin>\", line 1, in <module>\r\n"
            "ZeroDivisionError: divide by zero\r\n");
  EXPECT_EQ(c.client->raw_paste(), RawReplClient::RawPaste::kSupported);
}

TEST(RawReplClientTest, GlobalsPersistUntilSoftReset) {
  Connected c = Connect();
  ASSERT_TRUE(c.client);
  ASSERT_TRUE(c.client->EnterRawRepl(In(5)).ok());
  ASSERT_TRUE(c.client->Execute("x = 41", In(5)).ok());
  absl::StatusOr<ExecResult> x = c.client->Execute("print(x + 1)", In(5));
  ASSERT_TRUE(x.ok()) << x.status();
  EXPECT_EQ(x->stdout_text, "42\r\n");
  ASSERT_TRUE(c.client->SoftReset(In(5)).ok());
  absl::StatusOr<ExecResult> gone = c.client->Execute("print(x)", In(5));
  ASSERT_TRUE(gone.ok()) << gone.status();
  EXPECT_NE(gone->stderr_text.find("NameError: name 'x' isn't defined"), std::string::npos)
      << gone->stderr_text;
}

TEST(RawReplClientTest, SystemExitSoftRebootsTheBoard) {
  // How MicroPython's tests skip: print SKIP, raise SystemExit; the board then soft-reboots.
  Connected c = Connect();
  ASSERT_TRUE(c.client);
  ASSERT_TRUE(c.client->EnterRawRepl(In(5)).ok());
  absl::StatusOr<ExecResult> skip =
      c.client->Execute("x = 1\nprint('SKIP')\nraise SystemExit", In(5));
  ASSERT_TRUE(skip.ok()) << skip.status();
  EXPECT_EQ(skip->stdout_text, "SKIP\r\n");
  EXPECT_FALSE(skip->raised());
  EXPECT_TRUE(skip->soft_rebooted);
  absl::StatusOr<ExecResult> after = c.client->Execute("print(x)", In(5));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_NE(after->stderr_text.find("NameError"), std::string::npos) << after->stderr_text;
  EXPECT_FALSE(after->soft_rebooted);
}

std::string BigProgram(int lines) {
  std::vector<std::string> program;
  for (int i = 0; i < lines; ++i) program.push_back(absl::StrCat("v", i, " = ", i, " * 2"));
  program.push_back(absl::StrCat("print(v", lines - 1, ")"));
  return absl::StrJoin(program, "\n");
}

TEST(RawReplClientTest, LongProgramThroughRawPasteWindows) {
  Connected c = Connect({}, {"--raw_paste_window=64"});
  ASSERT_TRUE(c.client);
  ASSERT_TRUE(c.client->EnterRawRepl(In(5)).ok());
  absl::StatusOr<ExecResult> result = c.client->Execute(BigProgram(400), In(10));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->stdout_text, "798\r\n");
  EXPECT_EQ(c.client->raw_paste(), RawReplClient::RawPaste::kSupported);
}

TEST(RawReplClientTest, LargeOutputArrivesWhole) {
  Connected c = Connect();
  ASSERT_TRUE(c.client);
  ASSERT_TRUE(c.client->EnterRawRepl(In(5)).ok());
  absl::StatusOr<ExecResult> result =
      c.client->Execute("for i in range(5000):\n  print('%05d' % i + 'x' * 94)", In(20));
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->stdout_text.size(), 5000u * 101);
  EXPECT_EQ(result->stdout_text.substr(0, 8), "00000xxx");
  EXPECT_EQ(result->stdout_text.substr(4999 * 101, 8), "04999xxx");
}

class FallbackTest : public testing::TestWithParam<const char*> {};

TEST_P(FallbackTest, PlainRawModeWhenRawPasteIsNotAvailable) {
  Connected c = Connect({}, {absl::StrCat("--raw_paste=", GetParam())});
  ASSERT_TRUE(c.client);
  ASSERT_TRUE(c.client->EnterRawRepl(In(5)).ok());
  absl::StatusOr<ExecResult> result = c.client->Execute(BigProgram(60), In(10));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->stdout_text, "118\r\n");
  EXPECT_EQ(c.client->raw_paste(), RawReplClient::RawPaste::kUnsupported);
  absl::StatusOr<ExecResult> again = c.client->Execute("print('again')", In(5));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->stdout_text, "again\r\n");
}

INSTANTIATE_TEST_SUITE_P(Boards, FallbackTest, testing::Values("refused", "unknown"));

TEST(RawReplClientTest, PlainRawModeByChoice) {
  ClientOptions options;
  options.use_raw_paste = false;
  Connected c = Connect({}, {}, options);
  ASSERT_TRUE(c.client);
  ASSERT_TRUE(c.client->EnterRawRepl(In(5)).ok());
  absl::StatusOr<ExecResult> result = c.client->Execute(BigProgram(60), In(10));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->stdout_text, "118\r\n");
  EXPECT_EQ(c.client->raw_paste(), RawReplClient::RawPaste::kUntried);
}

TEST(RawReplClientTest, ReadsTheVersionOfTheFlashedImage) {
  firmware::VirtualImage image = TestBoard::DefaultImage();
  image.variant = "SPIRAM";
  image.version = "v1.30.1-7-gabcdef";
  absl::StatusOr<std::unique_ptr<TestBoard>> board = TestBoard::Start({}, {}, image);
  ASSERT_TRUE(board.ok()) << board.status();
  auto client = RawReplClient::Open((*board)->console());
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->EnterRawRepl(In(5)).ok());
  absl::StatusOr<BoardVersion> version = (*client)->ReadVersion(In(5));
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(version->build, "SPIRAM");
  EXPECT_EQ(version->version, "v1.30.1-7-gabcdef");
  EXPECT_EQ(version->identity, "SPIRAM;3.4.0; MicroPython v1.30.1-7-gabcdef on 2026-11-23;SPIRAM");
  EXPECT_EQ(version->machine, "VIRTUAL-SPIRAM with CPython");
  EXPECT_EQ(version->sys_version, "3.4.0; MicroPython v1.30.1-7-gabcdef on 2026-11-23");
}

TEST(RawReplClientTest, DeadlineInterruptsRunawayCode) {
  Connected c = Connect();
  ASSERT_TRUE(c.client);
  ASSERT_TRUE(c.client->EnterRawRepl(In(5)).ok());
  absl::StatusOr<ExecResult> runaway =
      c.client->Execute("print('start')\nwhile True: pass", In(0.5));
  EXPECT_TRUE(absl::IsDeadlineExceeded(runaway.status())) << runaway.status();
  EXPECT_NE(runaway.status().message().find("start"), std::string::npos);
  EXPECT_FALSE(c.client->in_raw_repl());
  EXPECT_TRUE(absl::IsFailedPrecondition(c.client->Execute("print(1)", In(5)).status()));
  ASSERT_TRUE(c.client->EnterRawRepl(In(5)).ok());
  absl::StatusOr<ExecResult> after = c.client->Execute("print('alive')", In(5));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->stdout_text, "alive\r\n");
}

TEST(RawReplClientTest, InterruptAndLeaveRawRepl) {
  Connected c = Connect();
  ASSERT_TRUE(c.client);
  ASSERT_TRUE(c.client->EnterRawRepl(In(5)).ok());
  ASSERT_TRUE(c.client->Interrupt(In(5)).ok());
  EXPECT_FALSE(c.client->in_raw_repl());
  ASSERT_TRUE(c.client->EnterRawRepl(In(5)).ok());
  ASSERT_TRUE(c.client->ExitRawRepl(In(5)).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(c.client->SoftReset(In(1))));
}

TEST(RawReplClientTest, BoardVanishingMidCommandIsUnavailable) {
  Connected c = Connect();
  ASSERT_TRUE(c.client);
  ASSERT_TRUE(c.client->EnterRawRepl(In(5)).ok());
  absl::Time start = absl::Now();
  // The board dies while the code runs; the client must notice at once, not at the deadline.
  c.board->ExpectExit();
  std::thread killer([&] {
    absl::SleepFor(absl::Milliseconds(200));
    kill(c.board->pid(), SIGKILL);
  });
  absl::StatusOr<ExecResult> result = c.client->Execute("import time\ntime.sleep(20)", In(15));
  killer.join();
  EXPECT_TRUE(absl::IsUnavailable(result.status())) << result.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
}

// ---- A scripted peer on a bare pty: echo, noise, partial reads, malformed answers ----

// Plays a board on the master side of a pty: waits for each trigger in the client's bytes,
// then answers one byte at a time (so the client sees every possible partial read).
class ScriptedBoard {
 public:
  struct Step {
    std::string trigger;
    std::string answer;
  };
  ScriptedBoard(int master, std::string noise, std::vector<Step> steps)
      : thread_([=] {
          (void)pty::WriteAll(master, noise, In(5));
          std::string seen;
          for (const Step& step : steps) {
            while (seen.find(step.trigger) == std::string::npos) {
              absl::StatusOr<std::string> chunk = pty::ReadSome(master, In(5));
              if (!chunk.ok()) return;
              seen += *chunk;
            }
            seen.clear();
            for (char c : step.answer) {
              (void)pty::WriteAll(master, std::string(1, c), In(5));
              absl::SleepFor(absl::Microseconds(200));
            }
          }
        }) {}
  ~ScriptedBoard() { thread_.join(); }

 private:
  std::thread thread_;
};

const char kRawEntry[] = "\r\n>>> \r\nraw REPL; CTRL-B to exit\r\n>";

TEST(RawReplClientScriptedTest, EchoNoiseAndByteByByteAnswers) {
  absl::StatusOr<pty::PtyPair> pair = pty::OpenPtyPair();
  ASSERT_TRUE(pair.ok());
  ClientOptions options;
  options.use_raw_paste = false;
  RawReplClient client(pair->slave.get(), options);
  {
    ScriptedBoard board(pair->master.get(), "boot noise \xff\xfe\r\n",
                        {{"\r\x01", kRawEntry},
                         // This board echoes the program before answering.
                         {"\x04", "print('hi')\x04OKhi\r\n\x04\x04>"}});
    ASSERT_TRUE(client.EnterRawRepl(In(5)).ok());
    absl::StatusOr<ExecResult> result = client.Execute("print('hi')", In(5));
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->stdout_text, "hi\r\n");
  }
}

TEST(RawReplClientScriptedTest, MalformedAnswersAreDataLoss) {
  absl::StatusOr<pty::PtyPair> pair = pty::OpenPtyPair();
  ASSERT_TRUE(pair.ok());
  ClientOptions options;
  options.use_raw_paste = false;
  RawReplClient client(pair->slave.get(), options);
  {
    ScriptedBoard board(pair->master.get(), "", {{"\r\x01", kRawEntry}, {"\x04", "OK\x04\x04?"}});
    ASSERT_TRUE(client.EnterRawRepl(In(5)).ok());
    absl::Status status = client.Execute("x", In(5)).status();
    EXPECT_TRUE(absl::IsDataLoss(status)) << status;
    EXPECT_FALSE(client.in_raw_repl());
  }
  RawReplClient paste_client(pair->slave.get());
  {
    ScriptedBoard board(pair->master.get(), "",
                        {{"\r\x01", kRawEntry},
                         {"\x05"
                          "A\x01",
                          std::string("R\x01\x80\x00\x01", 5)},
                         {"x", "Z"}});
    ASSERT_TRUE(paste_client.EnterRawRepl(In(5)).ok());
    absl::Status status = paste_client.Execute(std::string(300, 'x'), In(5)).status();
    EXPECT_TRUE(absl::IsDataLoss(status)) << status;
  }
}

// ---- Faults ----

TEST(RawReplClientFaultTest, HangAfterExecutionsUntilPowerCycle) {
  proto::VirtualFaults faults;
  faults.set_hang_after_executions(2);
  Connected c = Connect(faults);
  ASSERT_TRUE(c.client);
  ASSERT_TRUE(c.client->EnterRawRepl(In(5)).ok());
  EXPECT_TRUE(c.client->Execute("print(1)", In(5)).ok());
  EXPECT_TRUE(c.client->Execute("print(2)", In(5)).ok());
  absl::StatusOr<ExecResult> hung = c.client->Execute("print(3)", In(0.5));
  EXPECT_TRUE(absl::IsDeadlineExceeded(hung.status())) << hung.status();
  EXPECT_FALSE(c.client->EnterRawRepl(In(0.5)).ok());  // Ctrl-C does not help a hung board
  ASSERT_TRUE(c.board->PowerCycle().ok());
  ASSERT_TRUE(c.client->EnterRawRepl(In(5)).ok());
  EXPECT_TRUE(c.client->Execute("print(4)", In(5)).ok());
}

TEST(RawReplClientFaultTest, IgnoredInterruptNeedsAPowerCycle) {
  proto::VirtualFaults faults;
  faults.set_ignore_interrupt(true);
  Connected c = Connect(faults);
  ASSERT_TRUE(c.client);
  ASSERT_TRUE(c.client->EnterRawRepl(In(5)).ok());
  EXPECT_TRUE(absl::IsDeadlineExceeded(c.client->Execute("while True: pass", In(0.3)).status()));
  absl::Status still_running = c.client->EnterRawRepl(In(0.5));
  EXPECT_TRUE(absl::IsDeadlineExceeded(still_running)) << still_running;
  ASSERT_TRUE(c.board->PowerCycle().ok());
  ASSERT_TRUE(c.client->EnterRawRepl(In(5)).ok());
  EXPECT_TRUE(c.client->Execute("print(1)", In(5)).ok());
}

TEST(RawReplClientFaultTest, ResetMidOutputIsAborted) {
  proto::VirtualFaults faults;
  faults.set_reset_mid_output_probability(1.0);
  Connected c = Connect(faults);
  ASSERT_TRUE(c.client);
  ASSERT_TRUE(c.client->EnterRawRepl(In(5)).ok());
  absl::StatusOr<ExecResult> result = c.client->Execute("print('x' * 64)", In(5));
  EXPECT_TRUE(absl::IsAborted(result.status())) << result.status();
  EXPECT_NE(result.status().message().find("rebooted"), std::string::npos);
  // The board came back into the friendly REPL, as after a real reset.
  EXPECT_TRUE(c.client->EnterRawRepl(In(5)).ok());
}

TEST(RawReplClientFaultTest, DroppedLineIsUnavailableAndPowerCycleBringsItBack) {
  proto::VirtualFaults faults;
  faults.set_drop_line_probability(1.0);
  Connected c = Connect(faults);
  ASSERT_TRUE(c.client);
  ASSERT_TRUE(c.client->EnterRawRepl(In(5)).ok());
  absl::StatusOr<ExecResult> result = c.client->Execute("print(1)", In(5));
  EXPECT_TRUE(absl::IsUnavailable(result.status())) << result.status();
  ASSERT_TRUE(c.board->PowerCycle().ok());
  absl::Time deadline = In(5);
  absl::StatusOr<std::unique_ptr<RawReplClient>> again;
  do {  // the board re-creates its console link during the power cycle
    again = RawReplClient::Open(c.board->console());
  } while (!again.ok() && absl::Now() < deadline);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE((*again)->EnterRawRepl(In(5)).ok());
}

TEST(RawReplClientFaultTest, GarbledLineIsAnErrorNeverAHang) {
  proto::VirtualFaults faults;
  faults.set_seed(11);
  faults.set_garble_fraction(0.3);
  Connected c = Connect(faults);
  ASSERT_TRUE(c.client);
  absl::Time start = absl::Now();
  absl::Status status = c.client->EnterRawRepl(In(1));
  if (status.ok()) status = c.client->Execute("print('hello world, a long line')", In(1)).status();
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(absl::IsDeadlineExceeded(status) || absl::IsDataLoss(status) ||
              absl::IsFailedPrecondition(status) || absl::IsAborted(status))
      << status;
  EXPECT_LT(absl::Now() - start, absl::Seconds(4));
}

std::string RawBytesAfterBoot(const proto::VirtualFaults& faults) {
  absl::StatusOr<std::unique_ptr<TestBoard>> board = TestBoard::Start(faults);
  if (!board.ok()) return "start failed";
  absl::StatusOr<pty::UniqueFd> fd = pty::OpenTty((*board)->console());
  if (!fd.ok()) return "open failed";
  (void)pty::WriteAll(fd->get(), "\r\x01print(123)\x04", In(5));
  absl::StatusOr<std::string> got = pty::Drain(fd->get(), absl::Milliseconds(300), In(5));
  return got.ok() ? *got : "read failed";
}

TEST(RawReplClientFaultTest, GarblingIsDeterministicForASeed) {
  proto::VirtualFaults faults;
  faults.set_seed(5);
  faults.set_garble_fraction(0.2);
  std::string first = RawBytesAfterBoot(faults);
  std::string second = RawBytesAfterBoot(faults);
  EXPECT_GT(first.size(), 20u);
  EXPECT_EQ(first, second);
  faults.set_seed(6);
  EXPECT_NE(RawBytesAfterBoot(faults), first);
}

TEST(RawReplClientFaultTest, SlowLineNeedsTime) {
  proto::VirtualFaults faults;
  faults.set_line_bytes_per_second(400);
  Connected c = Connect(faults);
  ASSERT_TRUE(c.client);
  ASSERT_TRUE(c.client->EnterRawRepl(In(10)).ok());
  absl::StatusOr<ExecResult> hurried = c.client->Execute("print('y' * 300)", In(0.3));
  EXPECT_TRUE(absl::IsDeadlineExceeded(hurried.status())) << hurried.status();
  ASSERT_TRUE(c.client->EnterRawRepl(In(10)).ok());
  absl::StatusOr<ExecResult> patient = c.client->Execute("print('y' * 300)", In(10));
  ASSERT_TRUE(patient.ok()) << patient.status();
  EXPECT_EQ(patient->stdout_text, std::string(300, 'y') + "\r\n");
}

TEST(RawReplClientFaultTest, RawPasteFlowControlOverASlowLine) {
  proto::VirtualFaults faults;
  faults.set_line_bytes_per_second(4000);  // both directions
  faults.set_raw_paste_window(64);
  Connected c = Connect(faults);
  ASSERT_TRUE(c.client);
  ASSERT_TRUE(c.client->EnterRawRepl(In(10)).ok());
  absl::StatusOr<ExecResult> result = c.client->Execute(BigProgram(100), In(20));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->stdout_text, "198\r\n");
  EXPECT_EQ(c.client->raw_paste(), RawReplClient::RawPaste::kSupported);
}

TEST(RawReplClientFaultTest, RefusedRawModeIsAClearError) {
  proto::VirtualFaults faults;
  faults.set_refuse_raw_mode(true);
  Connected c = Connect(faults);
  ASSERT_TRUE(c.client);
  absl::Status status = c.client->EnterRawRepl(In(1));
  EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
  EXPECT_NE(status.message().find("friendly REPL"), std::string::npos) << status;
}

TEST(RawReplClientFaultTest, SlowBootAnswersOnlyAfterBooting) {
  proto::VirtualFaults faults;
  faults.set_boot_delay_s(1.5);
  Connected c = Connect(faults);
  ASSERT_TRUE(c.client);
  absl::Status early = c.client->EnterRawRepl(In(0.3));
  EXPECT_TRUE(absl::IsDeadlineExceeded(early)) << early;
  absl::SleepFor(absl::Seconds(1.5));
  EXPECT_TRUE(c.client->EnterRawRepl(In(5)).ok());
}

void Reflash(const TestBoard& board, const std::string& content) {
  std::ofstream out(board.flash_path(), std::ios::binary | std::ios::trunc);
  out << content;
}

TEST(RawReplClientFaultTest, CorruptOrForeignImageLeavesBoardUnbootable) {
  Connected c = Connect();
  ASSERT_TRUE(c.client);
  std::string good = firmware::SerializeImage(TestBoard::DefaultImage());
  std::string corrupt = good;
  corrupt[30] ^= 1;
  firmware::VirtualImage other = TestBoard::DefaultImage();
  other.board = "OTHER_BOARD";
  for (const std::string& bad : {corrupt, firmware::SerializeImage(other)}) {
    Reflash(*c.board, bad);
    ASSERT_TRUE(c.board->PowerCycle().ok());
    absl::Status status = c.client->EnterRawRepl(In(0.5));
    EXPECT_TRUE(absl::IsDeadlineExceeded(status)) << status;
  }
  Reflash(*c.board, good);
  ASSERT_TRUE(c.board->PowerCycle().ok());
  EXPECT_TRUE(c.client->EnterRawRepl(In(5)).ok());
}

}  // namespace
}  // namespace mptest::repl
