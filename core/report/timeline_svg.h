// The timeline of a campaign as an inline SVG: one lane for firmware builds and one per
// tentacle, a bar per build and per test group attempt, coloured by outcome.
#ifndef MPTEST_CORE_REPORT_TIMELINE_SVG_H_
#define MPTEST_CORE_REPORT_TIMELINE_SVG_H_

#include <string>
#include <vector>

#include "core/proto/results.pb.h"

namespace mptest::report {

// An <svg> element (no XML prolog) for embedding in HTML; "" when there are no bars.
std::string RenderTimelineSvg(const std::vector<proto::TimelineEntry>& bars);

}  // namespace mptest::report

#endif  // MPTEST_CORE_REPORT_TIMELINE_SVG_H_
