// Inline SVG timeline.
#include "core/report/timeline_svg.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/report/escape.h"
#include "core/report/results_model.h"

namespace mptest::report {
namespace {

constexpr double kLabelWidth = 180;
constexpr double kPlotWidth = 900;
constexpr double kLaneHeight = 22;
constexpr double kAxisHeight = 24;

const char* Colour(const proto::TimelineEntry& bar) {
  const std::string& outcome = bar.outcome();
  if (outcome == "errored") return "#d9534f";
  if (outcome == "failed") return "#f0ad4e";
  if (outcome == "skipped") return "#bbbbbb";
  if (outcome == "cached") return "#9ecae1";
  if (bar.kind() == "build") return "#3182bd";
  if (bar.kind() == "flash") return "#8c6bb1";
  return "#5cb85c";
}

// A tick step of 1, 2 or 5 times a power of ten giving about 10 ticks over `span` seconds.
double TickStep(double span) {
  double raw = std::max(span / 10, 1e-3);
  double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double factor : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= factor * power) return factor * power;
  }
  return 10 * power;
}

}  // namespace

std::string RenderTimelineSvg(const std::vector<proto::TimelineEntry>& bars) {
  if (bars.empty()) return "";
  // Lanes: "build" first, then tentacles in name order.
  std::map<std::string, size_t> lane_index;
  std::vector<std::string> lanes;
  bool has_build = false;
  for (const proto::TimelineEntry& bar : bars) has_build |= bar.lane() == "build";
  if (has_build) lanes.push_back("build");
  std::vector<std::string> tentacles;
  double begin = bars.front().start_s(), end = bars.front().end_s();
  for (const proto::TimelineEntry& bar : bars) {
    begin = std::min(begin, bar.start_s());
    end = std::max(end, std::max(bar.end_s(), bar.start_s()));
    if (bar.lane() != "build" &&
        std::find(tentacles.begin(), tentacles.end(), bar.lane()) == tentacles.end()) {
      tentacles.push_back(bar.lane());
    }
  }
  std::sort(tentacles.begin(), tentacles.end());
  lanes.insert(lanes.end(), tentacles.begin(), tentacles.end());
  for (size_t i = 0; i < lanes.size(); ++i) lane_index[lanes[i]] = i;

  const double span = std::max(end - begin, 1e-3);
  const double scale = kPlotWidth / span;
  const double height = kAxisHeight + kLaneHeight * static_cast<double>(lanes.size());
  std::string svg = absl::StrFormat(
      "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
      "font-family=\"sans-serif\" font-size=\"11\">\n",
      kLabelWidth + kPlotWidth + 10, height);
  // Axis: a tick and a label every `step` seconds from the campaign's first bar.
  const double step = TickStep(span);
  for (double t = 0; t <= span + 1e-9; t += step) {
    double x = kLabelWidth + t * scale;
    absl::StrAppend(
        &svg,
        absl::StrFormat("<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" "
                        "stroke=\"#dddddd\"/>"
                        "<text x=\"%.1f\" y=\"14\" text-anchor=\"middle\">%s</text>\n",
                        x, kAxisHeight - 4, x, height, x, XmlEscape(absl::StrFormat("%gs", t))));
  }
  for (size_t i = 0; i < lanes.size(); ++i) {
    absl::StrAppend(&svg, absl::StrFormat("<text x=\"4\" y=\"%.1f\">%s</text>\n",
                                          kAxisHeight + kLaneHeight * static_cast<double>(i) + 15,
                                          XmlEscape(lanes[i])));
  }
  for (const proto::TimelineEntry& bar : bars) {
    double x = kLabelWidth + (bar.start_s() - begin) * scale;
    double width = std::max(1.0, (bar.end_s() - bar.start_s()) * scale);
    double y = kAxisHeight + kLaneHeight * static_cast<double>(lane_index[bar.lane()]) + 3;
    absl::StrAppend(
        &svg, absl::StrFormat(
                  "<rect class=\"bar %s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" "
                  "fill=\"%s\" stroke=\"#333333\" stroke-width=\"0.5\">"
                  "<title>%s</title></rect>\n",
                  XmlEscape(bar.kind()), x, y, width, kLaneHeight - 6, Colour(bar),
                  XmlEscape(absl::StrCat(bar.lane(), ": ", bar.label(), " ", bar.outcome(), " (",
                                         FormatDuration(bar.end_s() - bar.start_s()), ")"))));
  }
  absl::StrAppend(&svg, "</svg>\n");
  return svg;
}

}  // namespace mptest::report
