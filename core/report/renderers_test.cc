// Tests of the junit.xml, report.md and report.html renderers and the SVG timeline.
#include <limits>
#include <string>

#include "core/report/html_report.h"
#include "core/report/junit.h"
#include "core/report/markdown_report.h"
#include "core/report/test_results.h"
#include "core/report/timeline_svg.h"
#include "gtest/gtest.h"

namespace mptest::report {
namespace {

using testing::SampleResults;

int Count(const std::string& text, const std::string& needle) {
  int count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

TEST(JunitTest, OneSuitePerAttemptOneCasePerTest) {
  std::string xml = RenderJunit(SampleResults());
  EXPECT_EQ(Count(xml, "<testsuite "), 6);
  // 13 tests plus one case each for the errored and the skipped attempt.
  EXPECT_EQ(Count(xml, "<testcase "), 15);
  EXPECT_NE(xml.find("<testsuites name=\"virtual-lab\" tests=\"15\" failures=\"2\" errors=\"2\" "
                     "skipped=\"5\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("message=\"output mismatch &lt;expected&gt; &amp; &quot;got&quot;\""),
            std::string::npos);
  EXPECT_NE(xml.find("<skipped type=\"xfail\" message=\"expected failure: known: issue #123\"/>"),
            std::string::npos);
  EXPECT_NE(xml.find("<error message=\"board did not answer after flashing (timeout 60 s)\"/>"),
            std::string::npos);
  EXPECT_NE(xml.find("<property name=\"flaky\" value=\"false\"/>"), std::string::npos);
}

TEST(JunitTest, FailureCarriesTheOutputDiffAndFiles) {
  proto::CampaignResults results = SampleResults();
  proto::Outcome* failed = results.mutable_groups(0)->add_outcomes();
  failed->set_name("basics/x.py");
  failed->set_outcome(proto::Outcome::failed);
  failed->set_expected_file("RUN@a,a/basics_x.py.exp");
  failed->set_output_file("RUN@a,a/basics_x.py.out");
  failed->set_diff("--- expected\n+++ output\n@@ -1,1 +1,1 @@\n-1 < 2\n+CRASH\n");
  const std::string xml = RenderJunit(results);
  EXPECT_NE(xml.find("<failure message=\"output differs from the expected output\">--- "
                     "expected\n+++ output\n@@ -1,1 +1,1 @@\n-1 &lt; 2\n+CRASH\n\nexpected: "
                     "RUN@a,a/basics_x.py.exp\noutput:   RUN@a,a/basics_x.py.out</failure>"),
            std::string::npos)
      << xml;
}

TEST(JunitTest, HostileTextStaysWellFormed) {
  proto::CampaignResults results = SampleResults();
  results.mutable_groups(0)->mutable_outcomes(0)->set_name("]]><!-- \x01\xff");
  std::string xml = RenderJunit(results);
  EXPECT_EQ(xml.find("]]>"), std::string::npos);
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
  EXPECT_EQ(xml.find("<!--"), std::string::npos);
}

TEST(MarkdownTest, SummaryMatrixAndGroupTables) {
  std::string md = RenderMarkdown(SampleResults());
  EXPECT_NE(md.find("| 4 | 1 | 1 | 0 | 6 | 2 | 2 | 2 | 1 | 13 |"), std::string::npos) << md;
  EXPECT_NE(md.find("## Failures: RUN-TESTS_STANDARD"), std::string::npos);
  EXPECT_NE(md.find("[a: failed](RUN-TESTS_STANDARD@5f2c-RPI_PICO2-RISCV,a)<br>"
                    "[b: passed](RUN-TESTS_STANDARD@5f2c-RPI_PICO2-RISCV,b)"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("## Errored groups"), std::string::npos);
  EXPECT_NE(md.find("board did not answer after flashing"), std::string::npos);
  EXPECT_NE(md.find("[log](RUN-TESTS_NET_INET@5f2c-RPI_PICO2-RISCV,a/logger_20_info.log)"),
            std::string::npos);
  EXPECT_NE(md.find("## Skipped groups"), std::string::npos);
  EXPECT_NE(md.find("firmware build failed"), std::string::npos);
  EXPECT_NE(md.find("| ESP32_GENERIC |  |  | 8.0 s | no | make failed: exit code 2 |"),
            std::string::npos)
      << md;
}

TEST(HtmlTest, SelfContainedWithSummaryMatrixAndTimeline) {
  std::string html = RenderHtml(SampleResults());
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\" id=\"tests-failed\">2</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\" id=\"tests-total\">13</td>"), std::string::npos);
  EXPECT_NE(html.find("<table class=\"matrix\" id=\"failures-1\">"), std::string::npos);
  EXPECT_NE(html.find("<div class=\"failed\"><a href=\"RUN-TESTS_STANDARD@5f2c-RPI_PICO2-RISCV,a\">"
                      "a: failed</a></div>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<table id=\"errored\">"), std::string::npos);
  EXPECT_NE(html.find("<table id=\"skipped\">"), std::string::npos);
  EXPECT_NE(html.find("<svg id=\"timeline\""), std::string::npos);
  EXPECT_EQ(Count(html, "<rect class=\"bar "), 10);
}

TEST(TimelineSvgTest, LanesBuildFirstAndBarsScaled) {
  std::vector<proto::TimelineEntry> bars(3);
  bars[0].set_lane("tentacle-b");
  bars[0].set_start_s(100);
  bars[0].set_end_s(110);
  bars[0].set_kind("test");
  bars[0].set_label("RUN-TESTS_STANDARD,a");
  bars[1].set_lane("build");
  bars[1].set_start_s(105);
  bars[1].set_end_s(110);
  bars[1].set_kind("build");
  bars[1].set_label("<BOARD>");
  bars[2] = bars[1];  // a parallel build: a second row in the build lane
  bars[2].set_start_s(106);
  std::string svg = RenderTimelineSvg(bars);
  // Build lane rows at y = 24 + 3 and 46 + 3; the tentacle lane after the gap: 24 + 44 + 4 + 3.
  // 900 px for 10 s.
  EXPECT_NE(svg.find("<rect class=\"bar build\" x=\"630.0\" y=\"27.0\" width=\"450.0\""),
            std::string::npos)
      << svg;
  EXPECT_NE(svg.find("<rect class=\"bar build\" x=\"720.0\" y=\"49.0\" width=\"360.0\""),
            std::string::npos)
      << svg;
  EXPECT_NE(svg.find("<rect class=\"bar test\" x=\"180.0\" y=\"75.0\" width=\"900.0\""),
            std::string::npos)
      << svg;
  EXPECT_NE(svg.find("build: &lt;BOARD&gt;"), std::string::npos);
  EXPECT_NE(svg.find(">RUN-TESTS_STANDARD,a</text>"), std::string::npos);
  EXPECT_EQ(RenderTimelineSvg({}), "");
}

// A flash inside its test run's bar is a strip over that bar, not a row of its own; a flash
// outside any bar is a full bar.
TEST(TimelineSvgTest, FlashBarsOverlayTheirTestBar) {
  std::vector<proto::TimelineEntry> bars(3);
  bars[0].set_lane("t");
  bars[0].set_start_s(100);
  bars[0].set_end_s(110);
  bars[0].set_kind("test");
  bars[1].set_lane("t");
  bars[1].set_start_s(101);
  bars[1].set_end_s(103);
  bars[1].set_kind("flash");
  bars[1].set_label("flash");
  bars[2] = bars[1];
  bars[2].set_lane("u");
  std::string svg = RenderTimelineSvg(bars);
  // Lane t at y = 24 + 3: a 4 px strip along the bottom of the 16 px bar; lane u after it, alone.
  EXPECT_NE(svg.find("<rect class=\"bar flash\" x=\"270.0\" y=\"39.0\" width=\"180.0\" "
                     "height=\"4\" fill=\"#8c6bb1\""),
            std::string::npos)
      << svg;
  EXPECT_NE(svg.find("<rect class=\"bar flash\" x=\"270.0\" y=\"53.0\" width=\"180.0\" "
                     "height=\"16\""),
            std::string::npos)
      << svg;
}

// Found by results_json_fuzz: an "Infinity" end made the axis loop forever.
TEST(TimelineSvgTest, NonFiniteAndHugeInstantsAreBounded) {
  std::vector<proto::TimelineEntry> bars(1);
  bars[0].set_lane("t");
  bars[0].set_start_s(1);
  bars[0].set_end_s(std::numeric_limits<double>::infinity());
  EXPECT_EQ(RenderTimelineSvg(bars), "") << "only a bar that cannot be drawn";
  bars.emplace_back();
  bars[1].set_lane("t");
  bars[1].set_start_s(1);
  bars[1].set_end_s(1.7e308);
  std::string svg = RenderTimelineSvg(bars);
  EXPECT_EQ(Count(svg, "<rect class=\"bar "), 1);
  EXPECT_LE(Count(svg, "<line "), 21);
}

}  // namespace
}  // namespace mptest::report
