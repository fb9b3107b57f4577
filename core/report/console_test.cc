// Tests of the console: the pure formatters, and the writer's two modes on a pipe and a pty.
#include "core/report/console.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <string>

#include "absl/strings/match.h"
#include "core/report/test_results.h"
#include "gtest/gtest.h"

namespace mptest::report {
namespace {

ConsoleState SampleState() {
  ConsoleState state;
  state.total = 120;
  state.done = 40;
  state.failed = 2;
  state.elapsed_s = 65;
  state.lanes = {{"build", "RPI_PICO2-RISCV", 50, 0, 0, "make 120 files"},
                 {"5f2c-RPI_PICO2", "RUN-TESTS_STANDARD,a", 53, 5, 80, ""},
                 {"2d2d-PYBV11", "", 0, 0, 0, ""}};
  return state;
}

std::string ReadAll(int fd) {
  std::string text;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof(buffer))) > 0) text.append(buffer, n);
  return text;
}

// A pseudo-terminal `columns` wide: returns its terminal side (or -1) and sets `master`.
int OpenTerminal(int columns, int* master) {
  *master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (*master < 0 || grantpt(*master) != 0 || unlockpt(*master) != 0) return -1;
  int terminal = open(ptsname(*master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  winsize size = {};
  size.ws_col = static_cast<unsigned short>(columns);
  size.ws_row = 50;
  if (terminal < 0 || ioctl(terminal, TIOCSWINSZ, &size) != 0) return -1;
  return terminal;
}

TEST(ConsoleFormatTest, EstimateRemaining) {
  ConsoleState state = SampleState();
  EXPECT_DOUBLE_EQ(*EstimateRemaining(state), 130);  // 65 s for 40, so 130 s for 80 more
  state.done = 0;
  EXPECT_FALSE(EstimateRemaining(state).has_value());
  state.done = state.total;
  EXPECT_DOUBLE_EQ(*EstimateRemaining(state), 0);
}

// Once the scheduler knows run durations, its estimate replaces the count-based one.
TEST(ConsoleFormatTest, SchedulerEstimateWins) {
  ConsoleState state = SampleState();
  state.scheduler_remaining_s = 42;
  EXPECT_DOUBLE_EQ(*EstimateRemaining(state), 42);
  EXPECT_NE(FormatStatusLine(state, 0).find("~42.0 s left"), std::string::npos)
      << FormatStatusLine(state, 0);
  state.done = 0;  // known before the first run ends: from the history
  EXPECT_DOUBLE_EQ(*EstimateRemaining(state), 42);
  state.done = state.total;
  EXPECT_DOUBLE_EQ(*EstimateRemaining(state), 0);
}

TEST(ConsoleFormatTest, StatusLine) {
  EXPECT_EQ(FormatStatusLine(SampleState(), 0),
            "[40/120 1 min 05 s, ~2 min 10 s left, 2 failed] build: RPI_PICO2-RISCV 15s make 120 "
            "files | 5f2c-RPI_PICO2: RUN-TESTS_STANDARD,a 12s test 5 of 80 | 1 idle");
}

// run-tests.py gives its total at its end: until then the lane counts the tests it has done.
TEST(ConsoleFormatTest, StatusLineWithoutATotal) {
  ConsoleState state = SampleState();
  state.lanes[1].test_total = 0;
  EXPECT_TRUE(
      absl::EndsWith(FormatStatusLine(state, 0), "RUN-TESTS_STANDARD,a 12s test 5 | 1 idle"))
      << FormatStatusLine(state, 0);
  state.lanes[1].test_index = 0;
  EXPECT_TRUE(absl::EndsWith(FormatStatusLine(state, 0), "RUN-TESTS_STANDARD,a 12s | 1 idle"))
      << FormatStatusLine(state, 0);
}

TEST(ConsoleFormatTest, StatusLineFitsTheWidthAndIsPrintable) {
  ConsoleState state = SampleState();
  state.lanes[1].activity = "bad\x1b[2Jname\n";
  std::string line = FormatStatusLine(state, 40);
  EXPECT_EQ(line.size(), 40u);
  EXPECT_TRUE(absl::EndsWith(line, "..."));
  for (char c : FormatStatusLine(state, 0)) {
    EXPECT_GE(c, 0x20);
    EXPECT_LT(c, 0x7F);
  }
}

TEST(ConsoleFormatTest, GroupLines) {
  proto::CampaignResults results = testing::SampleResults();
  ConsoleState state = SampleState();
  EXPECT_EQ(FormatGroupLine(state, results.groups(2), false),
            "[   65.0 s] 40/120 FAILED RUN-TESTS_STANDARD@5f2c-RPI_PICO2-RISCV,a (4 tests, 1 "
            "failed)\n");
  EXPECT_EQ(FormatGroupLine(state, results.groups(3), false),
            "[   65.0 s] 40/120 passed RUN-TESTS_STANDARD@5f2c-RPI_PICO2-RISCV,b (4 tests)\n");
  EXPECT_TRUE(
      absl::StrContains(FormatGroupLine(state, results.groups(4), false),
                        "ERRORED RUN-TESTS_NET_INET@5f2c-RPI_PICO2-RISCV,a (board did not"));
  std::string colored = FormatGroupLine(state, results.groups(2), true);
  EXPECT_TRUE(absl::StrContains(colored, "\x1b[33m40/120 FAILED"));
  EXPECT_TRUE(absl::StrContains(colored, "\x1b[0m"));
}

TEST(ConsoleFormatTest, Summary) {
  std::string summary = FormatSummary(testing::SampleResults(), "/tmp/results/report.html", false);
  EXPECT_TRUE(absl::StrContains(summary, "  Groups run          4    Tests passed        6\n"))
      << summary;
  EXPECT_TRUE(absl::StrContains(summary, "  Builds failed       1    Tests failed        2\n"))
      << summary;
  EXPECT_TRUE(absl::StrContains(summary, "Tests total        13\n")) << summary;
  EXPECT_TRUE(
      absl::StrContains(summary, "  failed RUN-TESTS_STANDARD@2d2d-PYBV11,a basics/int_big.py\n"));
  EXPECT_TRUE(absl::StrContains(summary, "Errored groups\n  RUN-TESTS_NET_INET@"));
  EXPECT_TRUE(
      absl::StrContains(summary,
                        "\nBoards                 passed  failed skipped  tentacles\n"
                        "  ESP32_GENERIC             0       0       0  aa11-ESP32_GENERIC\n"
                        "  PYBV11                    3       2       0  2d2d-PYBV11\n"
                        "  RPI_PICO2                 3       1       4  5f2c-RPI_PICO2\n"))
      << summary;
  EXPECT_TRUE(absl::EndsWith(summary, "Report: /tmp/results/report.html\n"));
  EXPECT_FALSE(absl::StrContains(summary, "\x1b"));
  EXPECT_TRUE(absl::StrContains(FormatSummary(testing::SampleResults(), "", true), "\x1b[31m"));
}

TEST(ConsoleWriterTest, PlainModeOnAPipeWritesLinesWithoutEscapes) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  EXPECT_EQ(ConsoleWriter::DetectMode(fds[1]), ConsoleWriter::Mode::kPlain);
  {
    ConsoleWriter writer(fds[1], ConsoleWriter::DetectMode(fds[1]));
    writer.Update(SampleState());
    writer.Line(1.5, LineKind::kInfo, "building RPI_PICO2");
    writer.GroupDone(SampleState(), testing::SampleResults().groups(3));
    writer.Summary(testing::SampleResults(), "report.html");
  }
  close(fds[1]);
  std::string text = ReadAll(fds[0]);
  close(fds[0]);
  EXPECT_TRUE(absl::StartsWith(text, "[    1.5 s] building RPI_PICO2\n[   65.0 s] 40/120 passed"))
      << text;
  EXPECT_FALSE(absl::StrContains(text, "\x1b"));
  EXPECT_FALSE(absl::StrContains(text, "\r"));
  EXPECT_FALSE(absl::StrContains(text, "left]")) << "no status line in plain mode";
}

TEST(ConsoleWriterTest, LiveModeOnATerminalRedrawsTheStatusLine) {
  int master = -1;
  int terminal = OpenTerminal(200, &master);
  ASSERT_GE(terminal, 0);

  unsetenv("NO_COLOR");
  setenv("TERM", "xterm", 1);
  EXPECT_EQ(ConsoleWriter::DetectMode(terminal), ConsoleWriter::Mode::kLive);
  setenv("NO_COLOR", "1", 1);
  EXPECT_EQ(ConsoleWriter::DetectMode(terminal), ConsoleWriter::Mode::kPlain);
  unsetenv("NO_COLOR");

  {
    ConsoleWriter writer(terminal, ConsoleWriter::Mode::kLive);
    writer.Update(SampleState());
    writer.Line(2, LineKind::kError, "tentacle quarantined");
  }
  close(terminal);
  fcntl(master, F_SETFL, O_NONBLOCK);
  std::string text = ReadAll(master);
  close(master);
  // Status line, then: clear it, the red line, the status line again.
  EXPECT_TRUE(absl::StartsWith(text, "\r\x1b[K[40/120 1 min 05 s")) << text;
  EXPECT_TRUE(absl::StrContains(text, "\r\x1b[K[    2.0 s] \x1b[31mtentacle quarantined\x1b[0m"))
      << text;
  EXPECT_TRUE(absl::EndsWith(text, "1 idle")) << text;
}

TEST(ConsoleWriterTest, LiveStatusLineIsCutToTheTerminalWidth) {
  int master = -1;
  int terminal = OpenTerminal(41, &master);
  ASSERT_GE(terminal, 0);
  ConsoleWriter(terminal, ConsoleWriter::Mode::kLive).Update(SampleState());
  close(terminal);
  fcntl(master, F_SETFL, O_NONBLOCK);
  std::string text = ReadAll(master);
  close(master);
  EXPECT_EQ(text, "\r\x1b[K" + FormatStatusLine(SampleState(), 40));
}

}  // namespace
}  // namespace mptest::report
