// A well-behaved harness plugin for the loader tests: one passing outcome per tentacle, each
// reported as it starts and ends (ReportTest). Its Initialize() fails when
// MPTEST_TEST_HARNESS_FAIL_INIT is set, to test that path.
#include <cstdlib>

#include "core/api/plugin_sdk.h"

namespace {

class GoodHarness : public mptest::Harness {
 public:
  absl::Status Initialize() {
    if (std::getenv("MPTEST_TEST_HARNESS_FAIL_INIT") != nullptr) {
      return absl::FailedPreconditionError("MPTEST_TEST_HARNESS_FAIL_INIT is set");
    }
    return absl::OkStatus();
  }
  absl::StatusOr<mptest::proto::HarnessResult> Run(
      const mptest::proto::HarnessRequest& request) override {
    mptest::proto::HarnessResult result;
    const int total = request.tentacles_size();
    for (const auto& tentacle : request.tentacles()) {
      mptest::proto::TestOutcome* outcome = result.add_outcomes();
      outcome->set_name(request.spec().label() + "/" + tentacle.entry().label());
      ReportTestStarted(result.outcomes_size(), total, outcome->name());
      outcome->set_outcome("pass");
      ReportTestEnded(result.outcomes_size(), total, *outcome);
    }
    result.set_results_json(request.result_dir() + "/_results.json");
    return result;
  }
};

}  // namespace

MPTEST_PLUGIN("good_harness", "2.0.0", "test harness", GoodHarness);
