// Default-constructible harness classes, one per plugin, as MPTEST_PLUGIN needs them.
#ifndef MPTEST_PLUGINS_HARNESSES_PLUGINS_H_
#define MPTEST_PLUGINS_HARNESSES_PLUGINS_H_

#include "plugins/harnesses/script_harness.h"

namespace mptest::harnesses {

template <RunnerKind kKind>
class RunnerHarness : public ScriptHarness {
 public:
  RunnerHarness() : ScriptHarness(kKind) {}
};

using RunTestsHarness = RunnerHarness<RunnerKind::kRunTests>;
using RunMultitestsHarness = RunnerHarness<RunnerKind::kRunMultitests>;
using RunPerfbenchHarness = RunnerHarness<RunnerKind::kRunPerfbench>;
using RunNatmodtestsHarness = RunnerHarness<RunnerKind::kRunNatmodtests>;

}  // namespace mptest::harnesses

#endif  // MPTEST_PLUGINS_HARNESSES_PLUGINS_H_
