// report.html: the summary report as one self-contained page (inline CSS and SVG, no scripts,
// nothing fetched): header, summary table, failures matrices with links to the attempt
// directories, errored and skipped groups, builds, and the timeline.
#ifndef MPTEST_CORE_REPORT_HTML_REPORT_H_
#define MPTEST_CORE_REPORT_HTML_REPORT_H_

#include <string>

#include "core/proto/results.pb.h"

namespace mptest::report {

std::string RenderHtml(const proto::CampaignResults& results);

}  // namespace mptest::report

#endif  // MPTEST_CORE_REPORT_HTML_REPORT_H_
