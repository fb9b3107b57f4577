// report.html writer.
#include "core/report/html_report.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/proto/board_variant.h"
#include "core/report/escape.h"
#include "core/report/results_model.h"
#include "core/report/timeline_svg.h"

namespace mptest::report {
namespace {

constexpr absl::string_view kStyle = R"(<style>
body { font-family: sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #bbb; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #eee; }
td.num { text-align: right; }
.passed { background: #dff0d8; } .failed { background: #fcf8e3; color: #8a6d3b; }
.errored { background: #f2dede; color: #a94442; } .xfailed, .skipped { background: #f5f5f5; }
.error { color: #a94442; font-weight: bold; }
</style>
)";

std::string Escape(absl::string_view text) { return XmlEscape(text); }

std::string Link(absl::string_view text, absl::string_view path) {
  if (path.empty()) return Escape(text);
  return absl::StrCat("<a href=\"", Escape(UrlPath(path)), "\">", Escape(text), "</a>");
}

std::string Header(const proto::CampaignContext& context) {
  std::string html = "<h1>mptest report</h1>\n<table id=\"context\">\n";
  auto row = [&html](absl::string_view name, absl::string_view value_html) {
    if (!value_html.empty())
      absl::StrAppend(&html, "<tr><th>", name, "</th><td>", value_html, "</td></tr>\n");
  };
  row("Testbed", Escape(context.testbed_name()));
  row("Trigger", Escape(context.trigger()));
  row("Start", Escape(context.time_start()));
  row("End", Escape(context.time_end()));
  if (context.end_s() > context.start_s() && context.start_s() > 0) {
    row("Duration", Escape(FormatDuration(context.end_s() - context.start_s())));
  }
  row("Firmware", Escape(context.ref_firmware()));
  row("Tests", Escape(context.ref_tests()));
  row("Xfail file", Escape(context.xfail_file()));
  row("Command line", absl::StrCat("<code>", Escape(context.commandline()), "</code>"));
  row("Log", Link(context.log_output(), context.log_output()));
  absl::StrAppend(&html, "</table>\n");
  if (!context.error().empty()) {
    absl::StrAppend(&html, "<p class=\"error\" id=\"campaign-error\">Campaign error: ",
                    Escape(context.error()), "</p>\n");
  }
  return html;
}

std::string SummaryTable(const proto::Summary& s) {
  std::string html =
      "<h2>Summary</h2>\n<table id=\"summary\">\n<tr><th>Groups run</th><th>Groups skipped</th>"
      "<th>Groups errored</th><th>Groups interrupted</th><th>Tests passed</th>"
      "<th>Tests skipped</th><th>Tests xfailed</th>"
      "<th>Tests failed</th><th>Tests errored</th><th>Tests total</th></tr>\n<tr>";
  const std::pair<int, const char*> cells[] = {
      {s.groups_run(), "groups-run"},         {s.groups_skipped(), "groups-skipped"},
      {s.groups_errored(), "groups-errored"}, {s.groups_interrupted(), "groups-interrupted"},
      {s.tests_passed(), "tests-passed"},     {s.tests_skipped(), "tests-skipped"},
      {s.tests_xfailed(), "tests-xfailed"},   {s.tests_failed(), "tests-failed"},
      {s.tests_errored(), "tests-errored"},   {s.tests_total(), "tests-total"}};
  for (const auto& [value, id] : cells) {
    absl::StrAppend(&html, "<td class=\"num\" id=\"", id, "\">", value, "</td>");
  }
  absl::StrAppend(&html, "</tr>\n</table>\n");
  return html;
}

std::string Matrices(const proto::CampaignResults& results) {
  std::string html;
  int index = 0;
  for (const FailureMatrix& matrix : BuildFailureMatrices(results)) {
    absl::StrAppend(&html, "<h2>Failures: ", Escape(matrix.testgroup),
                    "</h2>\n<table class=\"matrix\" id=\"failures-", index++,
                    "\">\n<tr><th>Test</th>");
    for (const MatrixColumn& column : matrix.columns) {
      absl::StrAppend(&html, "<th>", Escape(column.mcu), "<br>", Escape(column.Title()), "</th>");
    }
    absl::StrAppend(&html, "</tr>\n");
    for (size_t row = 0; row < matrix.rows.size(); ++row) {
      absl::StrAppend(&html, "<tr><td>", Escape(matrix.rows[row]), "</td>");
      for (size_t col = 0; col < matrix.columns.size(); ++col) {
        absl::StrAppend(&html, "<td>");
        auto cell = matrix.cells.find({row, col});
        if (cell != matrix.cells.end()) {
          for (const MatrixCell& attempt : cell->second) {
            absl::StrAppend(&html, "<div class=\"", Escape(attempt.outcome), "\">",
                            Link(absl::StrCat(attempt.attempt, ": ", attempt.outcome),
                                 attempt.directory_relative));
            if (!attempt.expected_file.empty()) {
              absl::StrAppend(&html, " ", Link("exp", attempt.expected_file), " ",
                              Link("out", attempt.output_file));
            }
            absl::StrAppend(&html, "</div>");
          }
        }
        absl::StrAppend(&html, "</td>");
      }
      absl::StrAppend(&html, "</tr>\n");
    }
    absl::StrAppend(&html, "</table>\n");
  }
  return html;
}

std::string GroupTable(const proto::CampaignResults& results, GroupState state) {
  std::string rows;
  for (const GroupRow& row : GroupRows(results, state)) {
    absl::StrAppend(&rows, "<tr><td>", Link(row.directory_relative, row.directory_relative),
                    "</td><td>", Escape(row.tentacle_variant), "</td><td>", Escape(row.reason),
                    "</td><td>", Link(row.log_text, row.log_path), "</td></tr>\n");
  }
  if (rows.empty()) return "";
  const std::string id(StateName(state));
  std::string title = id;
  title[0] = absl::ascii_toupper(title[0]);
  return absl::StrCat("<h2>", title, " groups</h2>\n<table id=\"", id,
                      "\">\n<tr><th>Group</th><th>Tentacle</th><th>Reason</th><th>Log</th></tr>\n",
                      rows, "</table>\n");
}

std::string Builds(const proto::CampaignContext& context) {
  if (context.builds_size() == 0) return "";
  std::string html =
      "<h2>Firmware builds</h2>\n<table id=\"builds\">\n<tr><th>Board</th><th>Version</th>"
      "<th>Source</th><th>Duration</th>"
      "<th>Cached</th><th>Result</th><th>Log</th></tr>\n";
  for (const proto::FirmwareBuild& build : context.builds()) {
    const bool ok = build.error().empty();
    absl::StrAppend(&html, "<tr><td>", Escape(BoardVariantName(build.board(), build.variant())),
                    "</td><td>", Escape(build.version()), "</td><td>",
                    Escape(build.source_revision()), "</td><td class=\"num\">",
                    Escape(FormatDuration(build.end_s() - build.start_s())), "</td><td>",
                    build.cached() ? "yes" : "no", "</td><td class=\"", ok ? "passed" : "errored",
                    "\">", ok ? "ok" : Escape(build.error()), "</td><td>",
                    Link(build.log().empty() ? "" : "log", build.log()), "</td></tr>\n");
  }
  absl::StrAppend(&html, "</table>\n");
  return html;
}

}  // namespace

std::string RenderHtml(const proto::CampaignResults& results) {
  std::string timeline = RenderTimelineSvg(BuildTimeline(results));
  return absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>mptest "
      "report ",
      Escape(results.context().testbed_name()), " ", Escape(results.context().time_start()),
      "</title>\n", kStyle, "</head>\n<body>\n", Header(results.context()),
      SummaryTable(ComputeSummary(results)), Matrices(results),
      GroupTable(results, GroupState::kRunning), GroupTable(results, GroupState::kErrored),
      GroupTable(results, GroupState::kInterrupted), GroupTable(results, GroupState::kSkipped),
      Builds(results.context()),
      timeline.empty() ? "" : absl::StrCat("<h2>Timeline</h2>\n", timeline), "</body>\n</html>\n");
}

}  // namespace mptest::report
