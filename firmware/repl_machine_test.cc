// Byte-exact tests of the virtual board's REPL state machine against the exchanges in
// shared/reference/micropython-repl.md, with a fake host standing in for the interpreter.
#include "firmware/repl_machine.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace mptest::firmware {
namespace {

constexpr char kBanner[] =
    "MicroPython v1.29.0 on 2026-11-23; VIRTUAL with CPython\r\nType \"help()\" for more "
    "information.\r\n";

class FakeHost : public ReplHost {
 public:
  void Emit(absl::string_view bytes) override { out.append(bytes.data(), bytes.size()); }
  void Execute(const std::string& code, bool friendly) override {
    executed.push_back(code);
    friendly_flags.push_back(friendly);
  }
  void SoftReset() override { ++resets; }
  void Interrupt() override { ++interrupts; }
  std::string Take() { return std::exchange(out, ""); }

  std::string out;
  std::vector<std::string> executed;
  std::vector<bool> friendly_flags;
  int resets = 0;
  int interrupts = 0;
};

class ReplMachineTest : public testing::Test {
 protected:
  explicit ReplMachineTest(ReplOptions options = {}) : machine_(&host_, WithBanner(options)) {
    machine_.Boot();
    EXPECT_EQ(host_.Take(), std::string(kBanner) + ">>> ");
  }
  static ReplOptions WithBanner(ReplOptions options) {
    options.banner = kBanner;
    return options;
  }
  void EnterRaw() {
    machine_.OnInput("\r\x01");
    ASSERT_EQ(host_.Take(), "\r\n>>> \r\nraw REPL; CTRL-B to exit\r\n>");
  }

  FakeHost host_;
  ReplMachine machine_;
};

TEST_F(ReplMachineTest, EnterRawAndExecute) {
  EnterRaw();
  machine_.OnInput("print(1+1)\x04");
  EXPECT_EQ(host_.Take(), "OK");
  ASSERT_EQ(host_.executed, std::vector<std::string>{"print(1+1)"});
  EXPECT_FALSE(host_.friendly_flags[0]);
  machine_.OnExecutionOutput("2\n");
  machine_.OnExecutionDone("");
  EXPECT_EQ(host_.Take(), "2\r\n\x04\x04>");
}

TEST_F(ReplMachineTest, ExceptionGoesBetweenTheEofMarkers) {
  EnterRaw();
  machine_.OnInput("1/0\x04");
  machine_.OnExecutionDone(
      "Traceback (most recent call last):\n  File \"<stdin>\", line 1, in <module>\n"
      "ZeroDivisionError: divide by zero\n");
  EXPECT_EQ(host_.Take(),
            "OK\x04Traceback (most recent call last):\r\n  File \"<stdin>\", line 1, in "
            "<module>\r\nZeroDivisionError: divide by zero\r\n\x04>");
}

TEST_F(ReplMachineTest, SoftResetInRawMode) {
  EnterRaw();
  machine_.OnInput("\x04");
  EXPECT_EQ(host_.resets, 1);
  EXPECT_EQ(host_.Take(), "OK\r\nMPY: soft reboot\r\n");
  machine_.OnSoftResetDone();
  EXPECT_EQ(host_.Take(), "raw REPL; CTRL-B to exit\r\n>");
}

TEST_F(ReplMachineTest, SystemExitSoftRebootsInsteadOfThePrompt) {
  EnterRaw();
  machine_.OnInput("print('SKIP')\nraise SystemExit\x04");
  machine_.OnExecutionOutput("SKIP\n");
  machine_.OnExecutionSystemExit();
  EXPECT_EQ(host_.resets, 1);
  EXPECT_EQ(host_.Take(), "OKSKIP\r\n\x04\x04MPY: soft reboot\r\n");
  machine_.OnSoftResetDone();
  EXPECT_EQ(host_.Take(), "raw REPL; CTRL-B to exit\r\n>");
}

TEST_F(ReplMachineTest, InputDuringExecutionWaitsAndCtrlCInterrupts) {
  EnterRaw();
  machine_.OnInput(
      "a=1\x04"
      "b=2\x04\x03");
  EXPECT_EQ(host_.executed.size(), 1u);
  EXPECT_EQ(host_.interrupts, 1);
  machine_.OnExecutionDone("");
  ASSERT_EQ(host_.executed.size(), 2u);
  EXPECT_EQ(host_.executed[1], "b=2");
}

TEST_F(ReplMachineTest, RawPasteWithWindows) {
  EnterRaw();
  machine_.OnInput(
      "\x05"
      "A\x01");
  EXPECT_EQ(host_.Take(), std::string("R\x01\x80\x00\x01", 5));
  machine_.OnInput(std::string(128, 'x'));
  EXPECT_EQ(host_.Take(), "\x01");  // one window consumed, another granted
  machine_.OnInput("\x04");
  EXPECT_EQ(host_.Take(), "\x04");
  ASSERT_EQ(host_.executed.size(), 1u);
  EXPECT_EQ(host_.executed[0], std::string(128, 'x'));
  machine_.OnExecutionOutput("out\n");
  machine_.OnExecutionDone("");
  EXPECT_EQ(host_.Take(), "out\r\n\x04\x04>");
}

TEST_F(ReplMachineTest, RawPasteCancelledWithCtrlC) {
  EnterRaw();
  machine_.OnInput(
      "\x05"
      "A\x01");
  host_.Take();
  machine_.OnInput("abc\x03");
  EXPECT_EQ(host_.Take(), "\x04\x04KeyboardInterrupt: \r\n\x04>");
  EXPECT_TRUE(host_.executed.empty());
}

TEST_F(ReplMachineTest, LeaveRawWithCtrlB) {
  EnterRaw();
  machine_.OnInput("\r\x02");
  EXPECT_EQ(host_.Take(), std::string("\r\n") + kBanner + ">>> ");
  EXPECT_EQ(machine_.mode(), ReplMachine::Mode::kFriendly);
}

TEST_F(ReplMachineTest, FriendlyLineEchoesAndExecutes) {
  machine_.OnInput(
      "1+x\x7f"
      "2\r");
  EXPECT_EQ(host_.Take(), "1+x\b \b2\r\n");
  ASSERT_EQ(host_.executed, std::vector<std::string>{"1+2"});
  EXPECT_TRUE(host_.friendly_flags[0]);
  machine_.OnExecutionOutput("3\n");
  machine_.OnExecutionDone("");
  EXPECT_EQ(host_.Take(), "3\r\n>>> ");
}

TEST_F(ReplMachineTest, FriendlyCompoundStatement) {
  machine_.OnInput("if 1:\r  print(5)\r\r");
  EXPECT_EQ(host_.Take(), "if 1:\r\n...   print(5)\r\n... \r\n");
  ASSERT_EQ(host_.executed, std::vector<std::string>{"if 1:\n  print(5)\n"});
}

TEST_F(ReplMachineTest, FriendlyControlKeys) {
  machine_.OnInput("abc\x03");
  EXPECT_EQ(host_.Take(), "abc\r\n>>> ");
  machine_.OnInput("\x02");
  EXPECT_EQ(host_.Take(), std::string("\r\n") + kBanner + ">>> ");
  machine_.OnInput("\x04");
  EXPECT_EQ(host_.Take(), "\r\nMPY: soft reboot\r\n");
  machine_.OnSoftResetDone();
  EXPECT_EQ(host_.Take(), std::string(kBanner) + ">>> ");
}

TEST_F(ReplMachineTest, PasteMode) {
  machine_.OnInput(
      "\x05"
      "a=1\rprint(a)\x04");
  EXPECT_EQ(host_.Take(),
            "\r\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== a=1\r\n=== print(a)\r\n");
  ASSERT_EQ(host_.executed, std::vector<std::string>{"a=1\rprint(a)"});
  EXPECT_FALSE(host_.friendly_flags[0]);
  machine_.OnExecutionOutput("1\n");
  machine_.OnExecutionDone("");
  EXPECT_EQ(host_.Take(), "1\r\n>>> ");
  machine_.OnInput("\x05x\x03");
  EXPECT_EQ(host_.Take(), "\r\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== x\r\n>>> ");
}

class RefusingMachineTest : public ReplMachineTest {
 protected:
  static ReplOptions Refusing() {
    ReplOptions options;
    options.refuse_raw_mode = true;
    options.raw_paste = RawPasteSupport::kRefused;
    return options;
  }
  RefusingMachineTest() : ReplMachineTest(Refusing()) {}
};

TEST_F(RefusingMachineTest, CtrlAIsIgnored) {
  machine_.OnInput("\r\x01");
  EXPECT_EQ(host_.Take(), "\r\n>>> ");
  EXPECT_EQ(machine_.mode(), ReplMachine::Mode::kFriendly);
}

TEST(RawPasteAnswersTest, RefusedAndUnknown) {
  for (RawPasteSupport support : {RawPasteSupport::kRefused, RawPasteSupport::kUnknown}) {
    FakeHost host;
    ReplOptions options;
    options.banner = kBanner;
    options.raw_paste = support;
    ReplMachine machine(&host, options);
    machine.Boot();
    machine.OnInput("\r\x01");
    host.Take();
    machine.OnInput(
        "\x05"
        "A\x01");
    EXPECT_EQ(host.Take(), support == RawPasteSupport::kRefused
                               ? std::string("R\x00>", 3)
                               : std::string("raw REPL; CTRL-B to exit\r\n>"));
    EXPECT_EQ(machine.mode(), ReplMachine::Mode::kRaw);
  }
}

}  // namespace
}  // namespace mptest::firmware
