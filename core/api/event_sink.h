// EventSink: what the scheduler tells the world while a campaign runs (console, reports).
#ifndef MPTEST_CORE_API_EVENT_SINK_H_
#define MPTEST_CORE_API_EVENT_SINK_H_

#include "core/proto/campaign.pb.h"
#include "core/proto/events.pb.h"
#include "core/proto/results.pb.h"

namespace mptest {

// Called from the scheduler's loop in the parent process, one call at a time, in order. An
// implementation must not block for long: the loop supervises children meanwhile.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void CampaignStarted(const proto::CampaignInfo& /*info*/) {}
  // A build job started (board, variant, start_s); a cache hit only finishes.
  virtual void BuildStarted(const proto::BuildRecord& /*build*/) {}
  // A running build's builder reported its progress (between that build's BuildStarted and
  // BuildFinished).
  virtual void BuildProgress(const proto::BuildEvent& /*event*/) {}
  virtual void BuildFinished(const proto::BuildRecord& /*build*/) {}
  virtual void RunStarted(const proto::RunStart& /*start*/) {}
  // A test of a running run started or ended, as its harness reported it while the run goes on
  // (between that run's RunStarted and RunFinished; RunFinished's record is the final word).
  virtual void TestReported(const proto::TestEvent& /*event*/) {}
  // An attempt under way as the reports show it while it runs (`running` set, the verdicts its
  // tests reported so far): about once a second while its tests report, until RunFinished. An
  // attempt that ended before its run did (it is retried) comes once more as it ended
  // (`running` unset); RunFinished's record is still the final word.
  virtual void AttemptProgressed(const proto::TestGroupResult& /*running*/) {}
  virtual void RunFinished(const proto::TestRunRecord& /*record*/) {}
  virtual void CampaignFinished(const proto::CampaignSummary& /*summary*/) {}
  // The campaign is being ended early (a signal, a host error): what follows until
  // CampaignFinished is the runs being killed and what never ran being recorded. A sink may
  // defer work until CampaignFinished (the report writer rewrites its aggregates only then).
  virtual void CampaignStopping() {}
  // The loop woke up (at least every few hundred milliseconds while anything runs): a chance
  // to redraw a status line. `now_s`: seconds since the Unix epoch on the scheduler's clock.
  virtual void Tick(double /*now_s*/) {}
  // The scheduler's estimate of the seconds left until the campaign ends, from the run
  // durations it knows (history and the runs ended so far); sent about once a second once any
  // duration is known, never before.
  virtual void RemainingEstimate(double /*seconds*/) {}
};

}  // namespace mptest

#endif  // MPTEST_CORE_API_EVENT_SINK_H_
