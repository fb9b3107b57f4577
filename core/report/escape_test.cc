// Tests of the report escaping: whatever a test prints must not break the XML/HTML/Markdown.
#include "core/report/escape.h"

#include "gtest/gtest.h"

namespace mptest::report {
namespace {

TEST(EscapeTest, XmlSpecialCharacters) {
  EXPECT_EQ(XmlEscape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
}

TEST(EscapeTest, XmlKeepsValidUtf8AndWhitespace) { EXPECT_EQ(XmlEscape("µs\t\n\r✓"), "µs\t\n\r✓"); }

TEST(EscapeTest, XmlReplacesControlCharactersAndInvalidUtf8) {
  const std::string replacement = "\xEF\xBF\xBD";
  EXPECT_EQ(XmlEscape(std::string("a\0b", 3)), "a" + replacement + "b");
  EXPECT_EQ(XmlEscape("\x1b[31m"), replacement + "[31m");
  EXPECT_EQ(XmlEscape("\xff\xfe"), replacement + replacement);
  EXPECT_EQ(XmlEscape("\xc0\xaf"), replacement + replacement);                    // overlong '/'
  EXPECT_EQ(XmlEscape("\xed\xa0\x80"), replacement + replacement + replacement);  // surrogate
  EXPECT_EQ(XmlEscape("\xe2\x9c"), replacement + replacement);                    // truncated
}

TEST(EscapeTest, MarkdownCell) { EXPECT_EQ(MarkdownCell("a|b\nc<d>"), "a\\|b<br>c&lt;d&gt;"); }

TEST(EscapeTest, UrlPath) {
  EXPECT_EQ(UrlPath("RUN-TESTS@5f2c-RPI_PICO2,a/log file.txt"),
            "RUN-TESTS@5f2c-RPI_PICO2,a/log%20file.txt");
  EXPECT_EQ(UrlPath("a\"<b>#?"), "a%22%3Cb%3E%23%3F");
}

}  // namespace
}  // namespace mptest::report
