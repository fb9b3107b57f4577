// report.md: the summary report in Markdown (readable as text, rendered by GitHub/GitLab):
// header, summary table, failures matrices, errored and skipped groups, builds.
#ifndef MPTEST_CORE_REPORT_MARKDOWN_REPORT_H_
#define MPTEST_CORE_REPORT_MARKDOWN_REPORT_H_

#include <string>

#include "core/proto/results.pb.h"

namespace mptest::report {

std::string RenderMarkdown(const proto::CampaignResults& results);

}  // namespace mptest::report

#endif  // MPTEST_CORE_REPORT_MARKDOWN_REPORT_H_
