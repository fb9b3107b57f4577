// report.md writer.
#include "core/report/markdown_report.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/proto/board_variant.h"
#include "core/report/escape.h"
#include "core/report/results_model.h"

namespace mptest::report {
namespace {

std::string Link(absl::string_view text, absl::string_view path) {
  if (path.empty()) return MarkdownCell(text);
  return absl::StrCat("[", MarkdownCell(text), "](", UrlPath(path), ")");
}

std::string Header(const proto::CampaignResults& results) {
  const proto::CampaignContext& context = results.context();
  std::string md = "# mptest report\n\n";
  auto line = [&md](absl::string_view name, absl::string_view value) {
    if (!value.empty()) absl::StrAppend(&md, "- **", name, "**: ", MarkdownCell(value), "\n");
  };
  line("Testbed", context.testbed_name());
  line("Trigger", context.trigger());
  line("Start", context.time_start());
  line("End", context.time_end());
  if (context.end_s() > context.start_s() && context.start_s() > 0) {
    line("Duration", FormatDuration(context.end_s() - context.start_s()));
  }
  line("Firmware", context.ref_firmware());
  line("Tests", context.ref_tests());
  line("Xfail file", context.xfail_file());
  line("Command line", context.commandline());
  if (!context.log_output().empty()) {
    absl::StrAppend(&md, "- **Log**: ", Link(context.log_output(), context.log_output()), "\n");
  }
  if (!context.error().empty()) {
    absl::StrAppend(&md, "\n**Campaign error:** ", MarkdownCell(context.error()), "\n");
  }
  return md;
}

std::string SummaryTable(const proto::Summary& s) {
  return absl::StrCat(
      "\n## Summary\n\n"
      "| Groups run | Groups skipped | Groups errored | Groups interrupted | Tests passed | "
      "Tests skipped | Tests xfailed | Tests failed | Tests errored | Tests total |\n"
      "| -: | -: | -: | -: | -: | -: | -: | -: | -: | -: |\n| ",
      absl::StrJoin({s.groups_run(), s.groups_skipped(), s.groups_errored(), s.groups_interrupted(),
                     s.tests_passed(), s.tests_skipped(), s.tests_xfailed(), s.tests_failed(),
                     s.tests_errored(), s.tests_total()},
                    " | "),
      " |\n");
}

std::string Matrices(const proto::CampaignResults& results) {
  std::string md;
  for (const FailureMatrix& matrix : BuildFailureMatrices(results)) {
    absl::StrAppend(&md, "\n## Failures: ", MarkdownCell(matrix.testgroup), "\n\n| Test |");
    for (const MatrixColumn& column : matrix.columns) {
      absl::StrAppend(&md, " ", MarkdownCell(column.mcu), "<br>", MarkdownCell(column.Title()),
                      " |");
    }
    absl::StrAppend(&md, "\n| - |");
    for (size_t i = 0; i < matrix.columns.size(); ++i) absl::StrAppend(&md, " - |");
    absl::StrAppend(&md, "\n");
    for (size_t row = 0; row < matrix.rows.size(); ++row) {
      absl::StrAppend(&md, "| ", MarkdownCell(matrix.rows[row]), " |");
      for (size_t col = 0; col < matrix.columns.size(); ++col) {
        std::vector<std::string> entries;
        auto cell = matrix.cells.find({row, col});
        if (cell != matrix.cells.end()) {
          for (const MatrixCell& attempt : cell->second) {
            std::string entry = Link(absl::StrCat(attempt.attempt, ": ", attempt.outcome),
                                     attempt.directory_relative);
            if (!attempt.expected_file.empty()) {
              absl::StrAppend(&entry, " ", Link("exp", attempt.expected_file), " ",
                              Link("out", attempt.output_file));
            }
            entries.push_back(std::move(entry));
          }
        }
        absl::StrAppend(&md, " ", absl::StrJoin(entries, "<br>"), " |");
      }
      absl::StrAppend(&md, "\n");
    }
  }
  return md;
}

std::string GroupTable(const proto::CampaignResults& results, GroupState state) {
  std::string rows;
  for (const GroupRow& row : GroupRows(results, state)) {
    absl::StrAppend(&rows, "| ", Link(row.directory_relative, row.directory_relative), " | ",
                    MarkdownCell(row.tentacle_variant), " | ", MarkdownCell(row.reason), " | ",
                    Link(row.log_text, row.log_path), " |\n");
  }
  if (rows.empty()) return "";
  std::string title(StateName(state));
  title[0] = absl::ascii_toupper(title[0]);
  return absl::StrCat("\n## ", title,
                      " groups\n\n| Group | Tentacle | Reason | Log |\n| - | - | - | - |\n", rows);
}

std::string Builds(const proto::CampaignResults& results) {
  if (results.context().builds_size() == 0) return "";
  std::string md =
      "\n## Firmware builds\n\n| Board | Version | Source | Duration | Cached | Result | Log |\n"
      "| - | - | - | -: | - | - | - |\n";
  for (const proto::FirmwareBuild& build : results.context().builds()) {
    absl::StrAppend(
        &md, "| ", MarkdownCell(BoardVariantName(build.board(), build.variant())), " | ",
        MarkdownCell(build.version()), " | ", MarkdownCell(build.source_revision()), " | ",
        FormatDuration(build.end_s() - build.start_s()), " | ", build.cached() ? "yes" : "no",
        " | ", build.error().empty() ? "ok" : MarkdownCell(build.error()), " | ",
        build.log().empty() ? "" : Link("log", build.log()), " |\n");
  }
  return md;
}

}  // namespace

std::string RenderMarkdown(const proto::CampaignResults& results) {
  return absl::StrCat(Header(results), SummaryTable(ComputeSummary(results)), Matrices(results),
                      GroupTable(results, GroupState::kRunning),
                      GroupTable(results, GroupState::kErrored),
                      GroupTable(results, GroupState::kInterrupted),
                      GroupTable(results, GroupState::kSkipped), Builds(results));
}

}  // namespace mptest::report
