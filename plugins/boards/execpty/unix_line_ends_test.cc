// The unix port's line-end translation: both directions, split reads, raw-paste answers.
#include "plugins/boards/execpty/unix_line_ends.h"

#include <string>

#include "gtest/gtest.h"

namespace mptest::boards {
namespace {

using std::string_literals::operator""s;

TEST(UnixLineEndsTest, BareNewlinesFromTheBoardBecomeCrLf) {
  UnixLineEnds ends;
  EXPECT_EQ(ends.FromBoard("OKSTART TEST\na\n\x04\x04>"), "OKSTART TEST\r\na\r\n\x04\x04>");
}

TEST(UnixLineEndsTest, ExistingCrLfIsNotDoubledEvenAcrossReads) {
  UnixLineEnds ends;
  EXPECT_EQ(ends.FromBoard("\r\n>>> \r\nraw REPL; CTRL-B to exit\r\n>"),
            "\r\n>>> \r\nraw REPL; CTRL-B to exit\r\n>");
  EXPECT_EQ(ends.FromBoard("OK\r"), "OK\r");
  EXPECT_EQ(ends.FromBoard("\n"), "\n");
  EXPECT_EQ(ends.FromBoard("x\r\r\n"), "x\r\r\n");  // print("x\r") on a real board
  EXPECT_EQ(ends.FromBoard("\n\n"), "\r\n\r\n");
}

TEST(UnixLineEndsTest, RawPasteAnswerPassesUntouched) {
  UnixLineEnds ends;
  EXPECT_EQ(ends.FromClient("\x05"
                            "A\x01"),
            "\x05"
            "A\x01");
  // A window of 0x0a0a bytes: both size bytes are '\n' and must stay single bytes.
  EXPECT_EQ(ends.FromBoard("R\x01\n\n\x01"), "R\x01\n\n\x01");
  EXPECT_EQ(ends.FromBoard("\x04"
                           "a\n"),
            "\x04"
            "a\r\n");
}

TEST(UnixLineEndsTest, RawPasteRequestSplitAcrossWritesAndAnswerAcrossReads) {
  UnixLineEnds ends;
  ends.FromClient("\x05");
  ends.FromClient("A");
  ends.FromClient("\x01");
  EXPECT_EQ(ends.FromBoard("R"), "R");
  EXPECT_EQ(ends.FromBoard("\x01\n"), "\x01\n");
  EXPECT_EQ(ends.FromBoard("\x00"s), "\x00"s);
  EXPECT_EQ(ends.FromBoard("\n"), "\r\n");  // the answer is over
}

TEST(UnixLineEndsTest, RefusedOrUnknownRawPasteLeavesTranslationOn) {
  UnixLineEnds refused;
  refused.FromClient(
      "\x05"
      "A\x01");
  EXPECT_EQ(refused.FromBoard("R\x00\n"s), "R\x00\r\n"s);
  UnixLineEnds old_firmware;  // answers with the raw banner again
  old_firmware.FromClient(
      "\x05"
      "A\x01");
  EXPECT_EQ(old_firmware.FromBoard("raw REPL\n>"), "raw REPL\r\n>");
}

TEST(UnixLineEndsTest, ClientCrLfReachesTheBoardAsOneLineEnd) {
  UnixLineEnds ends;
  EXPECT_EQ(ends.FromClient("a\r\nb\nc\r"), "a\rb\nc\r");
  EXPECT_EQ(ends.FromClient("\nd\r\x01"), "d\r\x01");
  EXPECT_EQ(ends.FromClient("\n"), "\n");  // after \x01, not after \r
}

TEST(UnixLineEndsTest, ResetForgetsPendingState) {
  UnixLineEnds ends;
  ends.FromBoard("\r");
  ends.FromClient(
      "\x05"
      "A\x01");
  ends.Reset();
  EXPECT_EQ(ends.FromBoard("R\x01\n"), "R\x01\r\n");
}

}  // namespace
}  // namespace mptest::boards
