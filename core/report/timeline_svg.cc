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
constexpr double kLaneGap = 4;
constexpr double kOverlayHeight = 4;  // a flash bar drawn under its test run's label
constexpr int kMaxTicks = 20;
constexpr std::pair<const char*, const char*> kLegend[] = {
    {"build", "#3182bd"},   {"cached build", "#9ecae1"}, {"flash", "#8c6bb1"},
    {"passed", "#5cb85c"},  {"failed", "#f0ad4e"},       {"errored", "#d9534f"},
    {"skipped", "#bbbbbb"}, {"interrupted", "#777777"},  {"running", "#b8e0b8"}};

const char* Colour(const proto::TimelineEntry& bar) {
  const std::string& outcome = bar.outcome();
  if (outcome == "errored") return "#d9534f";
  if (outcome == "failed") return "#f0ad4e";
  if (outcome == "skipped") return "#bbbbbb";
  if (outcome == "interrupted") return "#777777";
  if (outcome == "running") return "#b8e0b8";
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

std::string RenderTimelineSvg(const std::vector<proto::TimelineEntry>& all_bars) {
  // Instants that are not finite (JSON allows "NaN" and "Infinity") cannot be drawn.
  std::vector<proto::TimelineEntry> bars;
  for (const proto::TimelineEntry& bar : all_bars) {
    if (std::isfinite(bar.start_s()) && std::isfinite(bar.end_s())) bars.push_back(bar);
  }
  if (bars.empty()) return "";
  // Lanes: "build" first, then tentacles in name order.
  std::vector<std::string> lanes;
  double begin = bars.front().start_s(), end = bars.front().end_s();
  for (const proto::TimelineEntry& bar : bars) {
    begin = std::min(begin, bar.start_s());
    end = std::max(end, std::max(bar.end_s(), bar.start_s()));
    if (std::find(lanes.begin(), lanes.end(), bar.lane()) == lanes.end()) {
      lanes.push_back(bar.lane());
    }
  }
  std::sort(lanes.begin(), lanes.end(), [](const std::string& a, const std::string& b) {
    return std::make_pair(a != "build", a) < std::make_pair(b != "build", b);
  });
  // Bars that overlap in time within a lane (parallel builds) go to sub-rows: each bar takes
  // the first sub-row that is free at its start. A flash bar inside the bar of its test run is
  // drawn over it as a strip (overlay) instead of taking a sub-row of its own.
  // lane -> start and end of the last bar in each sub-row
  std::map<std::string, std::vector<double>> row_starts, row_ends;
  std::vector<size_t> row_of(bars.size());
  std::vector<bool> overlay(bars.size(), false);
  std::vector<size_t> order(bars.size());
  for (size_t i = 0; i < bars.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&bars](size_t a, size_t b) { return bars[a].start_s() < bars[b].start_s(); });
  for (size_t i : order) {
    std::vector<double>& starts = row_starts[bars[i].lane()];
    std::vector<double>& ends = row_ends[bars[i].lane()];
    if (bars[i].kind() == "flash") {
      for (size_t row = 0; row < ends.size() && !overlay[i]; ++row) {
        if (starts[row] <= bars[i].start_s() && ends[row] >= bars[i].end_s()) {
          overlay[i] = true;
          row_of[i] = row;
        }
      }
      if (overlay[i]) continue;
    }
    size_t row = 0;
    while (row < ends.size() && ends[row] > bars[i].start_s()) ++row;
    if (row == ends.size()) {
      starts.push_back(0);
      ends.push_back(0);
    }
    starts[row] = bars[i].start_s();
    ends[row] = std::max(bars[i].end_s(), bars[i].start_s());
    row_of[i] = row;
  }
  std::map<std::string, double> lane_top;
  double height = kAxisHeight;
  for (const std::string& lane : lanes) {
    lane_top[lane] = height;
    height += kLaneHeight * static_cast<double>(row_ends[lane].size()) + kLaneGap;
  }
  const double legend_top = height + 6;
  height = legend_top + kLaneHeight;

  // Finite instants can still be ~1e308 apart: the span is capped so that it stays finite.
  const double span = std::min(std::max(end - begin, 1e-3), 1e300);
  const double scale = kPlotWidth / span;
  std::string svg = absl::StrFormat(
      "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
      "font-family=\"sans-serif\" font-size=\"11\">\n",
      kLabelWidth + kPlotWidth + 10, height);
  // Axis: a tick and a label every `step` seconds from the campaign's first bar.
  const double step = TickStep(span);
  for (int tick = 0; tick <= kMaxTicks && tick * step <= span + 1e-9; ++tick) {
    const double t = tick * step;
    double x = kLabelWidth + t * scale;
    absl::StrAppend(&svg,
                    absl::StrFormat("<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" "
                                    "stroke=\"#dddddd\"/>"
                                    "<text x=\"%.1f\" y=\"14\" text-anchor=\"middle\">%s</text>\n",
                                    x, kAxisHeight - 4, x, legend_top - 6, x,
                                    XmlEscape(absl::StrFormat("%gs", t))));
  }
  for (const std::string& lane : lanes) {
    absl::StrAppend(&svg, absl::StrFormat("<text x=\"4\" y=\"%.1f\">%s</text>\n",
                                          lane_top[lane] + 15, XmlEscape(lane)));
  }
  for (size_t i = 0; i < bars.size(); ++i) {
    const proto::TimelineEntry& bar = bars[i];
    double x = kLabelWidth + (bar.start_s() - begin) * scale;
    double width = std::max(1.0, (bar.end_s() - bar.start_s()) * scale);
    double y = lane_top[bar.lane()] + kLaneHeight * static_cast<double>(row_of[i]) + 3;
    double bar_height = kLaneHeight - 6;
    if (overlay[i]) {  // a strip along the bottom of the test bar it belongs to
      y += bar_height - kOverlayHeight;
      bar_height = kOverlayHeight;
    }
    absl::StrAppend(
        &svg, absl::StrFormat(
                  "<rect class=\"bar %s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" "
                  "fill=\"%s\" stroke=\"#333333\" stroke-width=\"0.5\">"
                  "<title>%s</title></rect>\n",
                  XmlEscape(bar.kind()), x, y, width, bar_height, Colour(bar),
                  XmlEscape(absl::StrCat(bar.lane(), ": ", bar.label(), " ", bar.outcome(), " (",
                                         FormatDuration(bar.end_s() - bar.start_s()), ")"))));
    // The label inside the bar, cut to what fits (about 6 px per character).
    const size_t fits = static_cast<size_t>(std::max(0.0, (width - 6) / 6));
    if (fits >= 4 && !bar.label().empty() && !overlay[i]) {
      std::string label = bar.label();
      if (label.size() > fits) label = label.substr(0, fits - 1) + "~";
      absl::StrAppend(
          &svg, absl::StrFormat("<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">%s</text>\n", x + 3,
                                y + 12, XmlEscape(label)));
    }
  }
  // Legend.
  double x = kLabelWidth;
  for (const auto& [name, colour] : kLegend) {
    absl::StrAppend(&svg, absl::StrFormat("<rect x=\"%.0f\" y=\"%.0f\" width=\"12\" height=\"12\" "
                                          "fill=\"%s\"/><text x=\"%.0f\" y=\"%.0f\">%s</text>\n",
                                          x, legend_top, colour, x + 16, legend_top + 10, name));
    x += 95;
  }
  absl::StrAppend(&svg, "</svg>\n");
  return svg;
}

}  // namespace mptest::report
