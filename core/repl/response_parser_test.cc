// Tests for the raw-REPL response parser: the exchanges of the reference, split anywhere, and
// every kind of malformed answer.
#include "core/repl/response_parser.h"

#include "gtest/gtest.h"

namespace mptest::repl {
namespace {

TEST(ResponseParserTest, PlainRawAnswer) {
  ResponseParser parser(/*expect_ok=*/true);
  const std::string answer = "OK2\r\n\x04\x04>";
  EXPECT_EQ(parser.Feed(answer + "left"), answer.size());
  EXPECT_EQ(parser.state(), ResponseParser::State::kDone);
  EXPECT_EQ(parser.stdout_text(), "2\r\n");
  EXPECT_EQ(parser.stderr_text(), "");
  EXPECT_TRUE(parser.status().ok());
}

TEST(ResponseParserTest, TracebackGoesToStderrWhateverTheSplit) {
  const std::string answer =
      "OK\x04Traceback (most recent call last):\r\n  File \"<stdin>\", line 1, in <module>\r\n"
      "ZeroDivisionError: divide by zero\r\n\x04>";
  for (size_t split = 1; split < answer.size(); split += 7) {
    ResponseParser parser(true);
    for (size_t at = 0; at < answer.size(); at += split) parser.Feed(answer.substr(at, split));
    ASSERT_EQ(parser.state(), ResponseParser::State::kDone) << split;
    EXPECT_EQ(parser.stdout_text(), "");
    EXPECT_EQ(parser.stderr_text(),
              "Traceback (most recent call last):\r\n  File \"<stdin>\", line 1, in "
              "<module>\r\nZeroDivisionError: divide by zero\r\n");
  }
}

TEST(ResponseParserTest, RawPasteAnswerHasNoOk) {
  ResponseParser parser(/*expect_ok=*/false);
  parser.Feed("OK\x04\x04>");
  EXPECT_EQ(parser.state(), ResponseParser::State::kDone);
  EXPECT_EQ(parser.stdout_text(), "OK");
}

TEST(ResponseParserTest, EchoBeforeOkIsSkipped) {
  ResponseParser parser(true);
  parser.Feed("print(1)\x04OK1\r\n\x04\x04>");
  EXPECT_EQ(parser.state(), ResponseParser::State::kDone);
  EXPECT_EQ(parser.noise(), "print(1)\x04");
  EXPECT_EQ(parser.stdout_text(), "1\r\n");
}

TEST(ResponseParserTest, GarbageWithoutOkIsDataLoss) {
  ResponseParser::Limits limits;
  limits.max_noise_before_ok = 16;
  ResponseParser parser(true, limits);
  parser.Feed(std::string(40, '\xff'));
  EXPECT_EQ(parser.state(), ResponseParser::State::kFailed);
  EXPECT_TRUE(absl::IsDataLoss(parser.status())) << parser.status();
  EXPECT_NE(parser.status().message().find("\\xff"), std::string::npos);
}

TEST(ResponseParserTest, WrongPromptIsDataLoss) {
  ResponseParser parser(true);
  parser.Feed("OK\x04\x04?");
  EXPECT_TRUE(absl::IsDataLoss(parser.status())) << parser.status();
}

TEST(ResponseParserTest, SystemExitRebootEndsTheResponse) {
  for (const char* reboot : {"MPY: soft reboot\r\n", "soft reboot\r\n"}) {
    ResponseParser parser(true);
    const std::string answer = std::string("OKSKIP\r\n\x04\x04") + reboot;
    const size_t used = parser.Feed(answer);
    EXPECT_EQ(parser.state(), ResponseParser::State::kDone) << parser.status();
    EXPECT_TRUE(parser.soft_rebooted());
    EXPECT_EQ(parser.stdout_text(), "SKIP\r\n");
    EXPECT_EQ(answer.substr(used), "\r\n");  // the rest of the reboot is the client's
  }
  ResponseParser parser(true);
  parser.Feed("OK\x04\x04MPY: soft rebooX");
  EXPECT_TRUE(absl::IsDataLoss(parser.status())) << parser.status();
}

TEST(ResponseParserTest, BootBannerMidOutputIsAborted) {
  ResponseParser parser(true);
  parser.Feed(
      "OKhalf\r\nMicroPython v1.29.0 on 2026-11-23; VIRTUAL with CPython\r\n"
      "Type \"help()\" for more information.\r\n>>> ");
  EXPECT_TRUE(absl::IsAborted(parser.status())) << parser.status();
  ResponseParser soft(true);
  soft.Feed("OK\r\nMPY: soft reboot\r\n");
  EXPECT_TRUE(absl::IsAborted(soft.status())) << soft.status();
}

TEST(ResponseParserTest, OutputLimit) {
  ResponseParser::Limits limits;
  limits.max_output = 10;
  ResponseParser parser(true, limits);
  parser.Feed("OK" + std::string(11, 'x'));
  EXPECT_TRUE(absl::IsResourceExhausted(parser.status())) << parser.status();
}

TEST(ResponseParserTest, IncompleteAnswerWaits) {
  ResponseParser parser(true);
  parser.Feed("OK12");
  EXPECT_EQ(parser.state(), ResponseParser::State::kStdout);
  EXPECT_FALSE(parser.finished());
}

TEST(ResponseParserTest, RawPromptForms) {
  EXPECT_TRUE(EndsWithRawPrompt("\r\n>>> \r\nraw REPL; CTRL-B to exit\r\n>"));
  EXPECT_TRUE(EndsWithRawPrompt("raw REPL; CTRL-B to exit\r\r\n>"));
  EXPECT_FALSE(EndsWithRawPrompt("raw REPL; CTRL-B to exit\r\n"));
}

TEST(ResponseParserTest, EscapeBytes) {
  EXPECT_EQ(EscapeBytes("a\r\n\x04"), "\"a\\r\\n\\x04\"");
  EXPECT_EQ(EscapeBytes("abcdef", 3), "\"...def\"");
}

}  // namespace
}  // namespace mptest::repl
