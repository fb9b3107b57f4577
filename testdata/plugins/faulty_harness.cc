// A harness that misbehaves on request, for tests of how a campaign survives a harness: Run
// reads the spec's env entry "Run" and crashes, hangs, throws, exits or fails (misbehave.h);
// without it, one passing outcome per tentacle. With env "ReportFirst" = NAME it first reports
// the test NAME (1 of 2) as started and passed, as a harness does while it runs.
#include "core/api/plugin_sdk.h"
#include "testdata/plugins/misbehave.h"

namespace {

class FaultyHarness : public mptest::Harness {
 public:
  absl::StatusOr<mptest::proto::HarnessResult> Run(
      const mptest::proto::HarnessRequest& request) override {
    if (auto first = request.spec().env().find("ReportFirst");
        first != request.spec().env().end()) {
      ReportTestStarted(1, 2, first->second);
      mptest::proto::TestOutcome outcome;
      outcome.set_name(first->second);
      outcome.set_outcome("pass");
      ReportTestEnded(1, 2, outcome);
    }
    if (absl::Status status = mptest_testdata::Misbehave(
            mptest_testdata::Requested(request.spec().env(), "Run"), "Run");
        !status.ok()) {
      return status;
    }
    mptest::proto::HarnessResult result;
    for (const auto& tentacle : request.tentacles()) {
      mptest::proto::TestOutcome* outcome = result.add_outcomes();
      outcome->set_name(request.spec().label() + "/" + tentacle.entry().label());
      outcome->set_outcome("pass");
    }
    return result;
  }
};

}  // namespace

MPTEST_PLUGIN("faulty_harness", "1.0.0", "test harness that misbehaves on request", FaultyHarness);
