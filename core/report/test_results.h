// A small, fixed campaign for the report tests: two boards (one with two variants), a build
// that failed, passes, a failure that was retried and passed (flaky), an xfail, an errored and a
// skipped group, and text that needs escaping.
#ifndef MPTEST_CORE_REPORT_TEST_RESULTS_H_
#define MPTEST_CORE_REPORT_TEST_RESULTS_H_

#include "core/proto/results.pb.h"

namespace mptest::report::testing {

// Start of the campaign: 2026-11-23 02:00:00 UTC.
inline constexpr double kCampaignStart = 1795399200;

proto::CampaignContext SampleContext();
proto::CampaignResults SampleResults();

}  // namespace mptest::report::testing

#endif  // MPTEST_CORE_REPORT_TEST_RESULTS_H_
