// junit.xml: one <testsuite> per test group attempt, one <testcase> per test file, so CI
// systems (GitLab, Jenkins, GitHub test reporters) show mptest's verdicts.
#ifndef MPTEST_CORE_REPORT_JUNIT_H_
#define MPTEST_CORE_REPORT_JUNIT_H_

#include <string>

#include "core/proto/results.pb.h"

namespace mptest::report {

// Failed -> <failure>, errored -> <error>, skipped -> <skipped>, xfailed -> <skipped
// type="xfail">. An attempt that errored or was skipped as a whole, without per-test verdicts,
// becomes one testcase named after the group carrying that error or reason, so every attempt is
// accounted for.
std::string RenderJunit(const proto::CampaignResults& results);

}  // namespace mptest::report

#endif  // MPTEST_CORE_REPORT_JUNIT_H_
