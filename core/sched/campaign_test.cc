// The campaign end to end on fakes: every executor, build failures, crashes, runaways,
// retries, --count and flakiness, xfail, quarantine, the build cache.
#include "core/sched/campaign.h"

#include <sys/stat.h>

#include <map>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/proto/board_variant.h"
#include "core/report/atomic_file.h"
#include "core/sched/process_executor.h"
#include "core/sched/record_io.h"
#include "core/sched/simulated_executor.h"
#include "core/sched/testing/fakes.h"
#include "glog/logging.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::sched {
namespace {

using testing::FakePlugins;
using testing::HarnessScript;
using ::testing::HasSubstr;
using ::testing::Not;

class CountingSink : public EventSink {
 public:
  int started = 0;
  int finished = 0;
  int builds = 0;
  void RunStarted(const proto::RunStart&) override { ++started; }
  void RunFinished(const proto::TestRunRecord&) override { ++finished; }
  void BuildFinished(const proto::BuildRecord&) override { ++builds; }
};

HarnessScript Script(const std::string& match) {
  HarnessScript script;
  script.match = match;
  return script;
}

std::string FreshDir(const std::string& name) {
  static int counter = 0;
  std::string dir =
      std::string(getenv("TEST_TMPDIR")) + "/" + name + "-" + std::to_string(++counter);
  mkdir(dir.c_str(), 0755);
  return dir;
}

proto::TestRunSpec Spec(const std::string& label, int tentacles = 1, double timeout = 5) {
  proto::TestRunSpec spec;
  spec.set_label(label);
  spec.set_fut("MCU_ONLY");
  spec.set_harness("fake");
  spec.set_tentacles(tentacles);
  spec.set_timeout_s(timeout);
  return spec;
}

// Boards A (two variants), B, REF; tentacles 000a-A, 000b-B, 000r-REF.
CampaignPlan Lab(std::vector<proto::TestRunSpec> specs) {
  CampaignPlan plan;
  for (const char* name : {"A", "B", "REF"}) {
    proto::BoardDefinition board;
    board.set_name(name);
    board.set_port("virtual");
    board.add_variants("");
    if (std::string(name) == "A") board.add_variants("THREAD");
    board.add_features("MCU_ONLY");
    plan.boards[name] = board;
    proto::InventoryEntry entry;
    entry.set_label(absl::StrCat("000", absl::AsciiStrToLower(name).substr(0, 1), "-", name));
    entry.set_type("fake");
    entry.set_board(name);
    plan.tentacles.push_back(entry);
    plan.variants_by_board[name] = {board.variants().begin(), board.variants().end()};
  }
  plan.variants_by_board.erase("REF");
  plan.reference = "000r-REF";
  plan.specs = std::move(specs);
  return plan;
}

CampaignOptions Options(const std::string& results) {
  CampaignOptions options;
  options.build.source = "/src";
  options.build.results_dir = results;
  options.build.build_jobs = 2;
  options.test.jobs = 4;
  options.test.results_dir = results;
  options.test.margin = absl::Milliseconds(300);
  options.poll = absl::Milliseconds(20);
  return options;
}

TEST(CampaignTest, SimulatedRunsEveryCellAndPasses) {
  FakePlugins plugins;
  SimulatedExecutor executor(
      8, [](const std::string&, const std::string&) { return absl::Seconds(10); });
  CountingSink sink;
  std::string results = FreshDir("sim");
  Campaign campaign(Lab({Spec("RUN-ONE"), Spec("RUN-MULTI", 2)}), Options(results), plugins,
                    executor, sink);
  absl::StatusOr<proto::CampaignSummary> summary = campaign.Run();
  ASSERT_TRUE(summary.ok()) << summary.status();
  // RUN-ONE: A, A-THREAD, B = 3; RUN-MULTI: (A, A-THREAD, B) x 2 roles = 6.
  EXPECT_EQ(sink.started, 9);
  EXPECT_EQ(sink.finished, 9);
  EXPECT_EQ(sink.builds, 4);  // REF, A, A-THREAD, B
  EXPECT_EQ(summary->exit_code(), 0);
  EXPECT_EQ(summary->tests_passed(), 9);
  struct stat info;
  EXPECT_EQ(stat((results + "/RUN-ONE@000a-A-THREAD,a/context_testgroup.json").c_str(), &info), 0);
  EXPECT_EQ(stat((results + "/mpbuild/A-THREAD/firmware.spec").c_str(), &info), 0);
}

// RUN-ONE on Lab(), every job taking one simulated second: the summary and the records.
struct OneSpecRun {
  absl::StatusOr<proto::CampaignSummary> summary;
  std::vector<proto::TestRunRecord> records;
  int runs_started = 0;
};
OneSpecRun RunOneSpec(FakePlugins& plugins, const std::string& name, int capacity = 8) {
  SimulatedExecutor executor(
      capacity, [](const std::string&, const std::string&) { return absl::Seconds(1); });
  CountingSink sink;
  Campaign campaign(Lab({Spec("RUN-ONE")}), Options(FreshDir(name)), plugins, executor, sink);
  OneSpecRun run;
  run.summary = campaign.Run();
  run.records = campaign.records();
  run.runs_started = sink.started;
  return run;
}

TEST(CampaignTest, FailedBuildErrorsOnlyItsBoard) {
  FakePlugins plugins;
  plugins.builder.fail = {"B"};
  OneSpecRun run = RunOneSpec(plugins, "buildfail");
  const auto& summary = run.summary;
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->exit_code(), 3);
  EXPECT_EQ(summary->tests_passed(), 2);  // A and A-THREAD still ran
  int errored = 0;
  for (const auto& record : run.records) {
    if (!record.error().empty()) {
      ++errored;
      EXPECT_EQ(record.board(), "B");
      EXPECT_THAT(record.error(), HasSubstr("firmware build for B failed"));
    }
  }
  EXPECT_EQ(errored, 1);
}

TEST(CampaignTest, ForkedCrashIsNoticedAtOnceAndRecorded) {
  FakePlugins plugins;
  plugins.harness.scripts = {Script("@000b-B")};
  plugins.harness.scripts[0].crash = true;
  ForkExecutor executor(6);
  CountingSink sink;
  std::string results = FreshDir("crash");
  // A long timeout: the crash must not wait for the deadline.
  Campaign campaign(Lab({Spec("RUN-ONE", 1, /*timeout=*/600)}), Options(results), plugins, executor,
                    sink);
  absl::Time start = absl::Now();
  auto summary = campaign.Run();
  ASSERT_TRUE(summary.ok());
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
  EXPECT_EQ(summary->exit_code(), 3);
  bool found = false;
  for (const auto& record : campaign.records()) {
    if (record.board() != "B") continue;
    found = true;
    EXPECT_THAT(record.error(), HasSubstr("killed by SIGABRT"));
    ASSERT_GE(record.attempts_size(), 1);
    EXPECT_THAT(record.attempts(0).msg_error(), HasSubstr("SIGABRT"));
  }
  EXPECT_TRUE(found);
}

TEST(CampaignTest, ForkedRunawayIsKilledAtItsDeadline) {
  FakePlugins plugins;
  plugins.harness.scripts = {Script("@000b-B")};
  plugins.harness.scripts[0].hang = true;
  ForkExecutor executor(6, absl::Milliseconds(200));
  CountingSink sink;
  CampaignOptions options = Options(FreshDir("hang"));
  Campaign campaign(Lab({Spec("RUN-ONE", 1, /*timeout=*/0.2)}), options, plugins, executor, sink);
  auto summary = campaign.Run();
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->exit_code(), 3);
  EXPECT_EQ(summary->tests_passed(), 2);
  for (const auto& record : campaign.records()) {
    if (record.board() == "B") {
      EXPECT_THAT(record.error(), HasSubstr("timed out"));
    }
  }
}

TEST(CampaignTest, VerdictsKnownBeforeTheDeadlineOrAnErrorAreKept) {
  FakePlugins plugins;
  plugins.harness.scripts = {Script("@000b-B"), Script("@000a-A")};
  plugins.harness.scripts[0].outcomes = {{"basics/a.py", "pass"}, {"basics/b.py", "fail"}};
  plugins.harness.scripts[0].hang = true;
  plugins.harness.scripts[0].verdicts_before_failing = true;
  plugins.harness.scripts[1].error = "board unreachable";
  plugins.harness.scripts[1].verdicts_before_failing = true;
  ForkExecutor executor(6, absl::Milliseconds(200));
  CountingSink sink;
  CampaignOptions options = Options(FreshDir("known"));
  options.test.run.max_retries = 0;
  Campaign campaign(Lab({Spec("RUN-ONE", 1, /*timeout=*/0.5)}), options, plugins, executor, sink);
  auto summary = campaign.Run();
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->exit_code(), 3);
  int kept = 0;
  for (const auto& record : campaign.records()) {
    if (record.board() == "REF") continue;
    ASSERT_EQ(record.attempts_size(), 1) << record.board();
    const proto::TestGroupResult& attempt = record.attempts(0);
    EXPECT_FALSE(attempt.msg_error().empty()) << record.board();
    ASSERT_GE(attempt.outcomes_size(), 1) << record.board();
    EXPECT_EQ(attempt.outcomes(0).name(), "basics/a.py");
    EXPECT_EQ(attempt.outcomes(0).outcome(), proto::Outcome::passed);
    ++kept;
  }
  EXPECT_EQ(kept, 3);  // B, and A's two variants
}

// Every per-test report the campaign passes on, and whether its run had ended by then.
class TestEventSink : public EventSink {
 public:
  std::vector<proto::TestEvent> reported;
  std::vector<std::string> after_their_run;  // reports that came after their run's RunFinished
  int off_the_loop = 0;  // reports on another thread than the campaign's (EventSink's contract)
  std::set<std::string> finished;
  void TestReported(const proto::TestEvent& event) override {
    reported.push_back(event);
    if (finished.count(event.testid())) after_their_run.push_back(event.ShortDebugString());
    off_the_loop += std::this_thread::get_id() != loop;
  }
  const std::thread::id loop = std::this_thread::get_id();
  void RunFinished(const proto::TestRunRecord& record) override {
    finished.insert(record.testid());
  }
  // The live views of attempts, and those that came after their run's RunFinished.
  std::vector<proto::TestGroupResult> progressed;
  std::vector<std::string> progressed_after_their_run;
  void AttemptProgressed(const proto::TestGroupResult& running) override {
    progressed.push_back(running);
    if (finished.count(running.testid())) {
      progressed_after_their_run.push_back(running.directory_relative());
    }
  }
  // What each build said, in order: "started", "make 0/1 files", ..., "finished".
  std::map<std::string, std::vector<std::string>> builds;
  void BuildStarted(const proto::BuildRecord& build) override {
    builds[BoardVariantName(build.board(), build.variant())].push_back("started");
  }
  void BuildProgress(const proto::BuildEvent& event) override {
    const proto::BuildProgress& progress = event.progress();
    builds[BoardVariantName(event.board(), event.variant())].push_back(absl::StrCat(
        progress.step(), " ", progress.done(), "/", progress.total(), " ", progress.unit()));
  }
  void BuildFinished(const proto::BuildRecord& build) override {
    builds[BoardVariantName(build.board(), build.variant())].push_back("finished");
  }
};

// "started basics/a.py 1/2" or "ended basics/a.py 1/2 pass".
std::string Describe(const proto::TestEvent& event) {
  const proto::TestProgress& progress = event.progress();
  return absl::StrCat(progress.ended() ? "ended " : "started ", progress.outcome().name(), " ",
                      progress.index(), "/", progress.total(),
                      progress.ended() ? " " + progress.outcome().outcome() : "");
}

// Forked runs send over their channel; an inline run publishes on its own thread.
class CampaignEventsTest : public ::testing::TestWithParam<process::Context> {};

INSTANTIATE_TEST_SUITE_P(Contexts, CampaignEventsTest,
                         ::testing::Values(process::Context::kFork, process::Context::kInline),
                         [](const auto& info) { return process::ContextName(info.param); });

TEST_P(CampaignEventsTest, TestsComeOverTheBusWhileTheirRunGoesOnAndOutliveItsKill) {
  FakePlugins plugins;
  plugins.harness.scripts = {Script("@000b-B")};
  plugins.harness.scripts[0].outcomes = {{"basics/a.py", "pass"}, {"basics/b.py", "fail"}};
  // B's harness reports its two tests, then hangs until the run's deadline kills it, leaving no
  // _results.json: only the bus has its verdicts.
  plugins.harness.scripts[0].hang = true;
  plugins.harness.scripts[0].reported_before_failing = true;
  bus::EventBus bus;
  std::vector<proto::Event> seed_events;  // seed 004's: firmware ready, exit, log line
  bus.Subscribe([&seed_events](const proto::Event& event) {
    if (event.has_firmware_ready() || event.has_exit() || event.has_log_line()) {
      seed_events.push_back(event);
    }
  });
  ProcessExecutor executor(6, absl::Milliseconds(200), GetParam(), "", &bus);
  TestEventSink sink;
  CampaignOptions options = Options(FreshDir("live"));
  options.bus = &bus;
  options.test.run.max_retries = 0;
  Campaign campaign(Lab({Spec("RUN-ONE", 1, /*timeout=*/0.5)}), options, plugins, executor, sink);
  auto summary = campaign.Run();
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->exit_code(), 3);
  EXPECT_THAT(sink.after_their_run, ::testing::IsEmpty());
  EXPECT_EQ(sink.off_the_loop, 0);
  std::vector<std::string> from_b;
  std::set<std::string> tentacles;
  for (const proto::TestEvent& event : sink.reported) {
    tentacles.insert(event.tentacle());
    if (event.tentacle() != "000b-B") continue;
    EXPECT_THAT(event.testid(), HasSubstr("RUN-ONE@000b-B"));
    EXPECT_EQ(event.attempt(), "a");
    from_b.push_back(Describe(event));
  }
  EXPECT_THAT(from_b,
              ::testing::ElementsAre("started basics/a.py 1/2", "ended basics/a.py 1/2 pass",
                                     "started basics/b.py 2/2", "ended basics/b.py 2/2 fail"));
  EXPECT_THAT(tentacles, ::testing::ElementsAre("000a-A", "000b-B"));  // A's runs report too
  bool found = false;
  for (const proto::TestRunRecord& record : campaign.records()) {
    if (record.board() != "B") continue;
    found = true;
    ASSERT_EQ(record.attempts_size(), 1);
    const proto::TestGroupResult& attempt = record.attempts(0);
    EXPECT_THAT(attempt.msg_error(),
                ::testing::AnyOf(HasSubstr("timed out"), HasSubstr("ran past its timeout")));
    ASSERT_EQ(attempt.outcomes_size(), 2);
    EXPECT_EQ(attempt.outcomes(0).name(), "basics/a.py");
    EXPECT_EQ(attempt.outcomes(0).outcome(), proto::Outcome::passed);
    EXPECT_EQ(attempt.outcomes(1).name(), "basics/b.py");
    EXPECT_EQ(attempt.outcomes(1).outcome(), proto::Outcome::failed);
  }
  EXPECT_TRUE(found);
  // Each build said its firmware was ready; each job's end is an Exit, B's run's unsuccessful.
  // A forked run's warnings come as they are logged (inline, the campaign's own log has them).
  std::set<std::string> ready;
  bool b_exit_failed = false, a_exit_succeeded = false, b_warned = false;
  for (const proto::Event& event : seed_events) {
    if (event.has_log_line()) {
      b_warned |= absl::StrContains(event.source(), "RUN-ONE@000b-B") &&
                  absl::StrContains(event.log_line().text(), "the scripted harness hangs now") &&
                  event.log_line().severity() == google::GLOG_WARNING;
    } else if (event.has_firmware_ready()) {
      EXPECT_FALSE(event.firmware_ready().path().empty());
      ready.insert(
          BoardVariantName(event.firmware_ready().board(), event.firmware_ready().variant()));
    } else if (absl::StrContains(event.source(), "RUN-ONE@000b-B")) {
      b_exit_failed |= !event.exit().success();
    } else if (absl::StrContains(event.source(), "RUN-ONE@000a-A")) {
      a_exit_succeeded |= event.exit().success();
    }
  }
  std::set<std::string> built;
  for (const proto::BuildRecord& build : campaign.builds()) {
    built.insert(BoardVariantName(build.board(), build.variant()));
  }
  EXPECT_THAT(built, ::testing::Contains("B"));
  EXPECT_EQ(ready, built);
  EXPECT_TRUE(b_exit_failed);
  EXPECT_EQ(b_warned, GetParam() == process::Context::kFork);
  EXPECT_TRUE(a_exit_succeeded);
}

// Runs RUN-ONE (B's harness scripted by `b`) over the bus with the live views on every wake-up
// and `max_retries`; the sink has what the campaign passed on.
void RunWithLiveViews(process::Context context, const HarnessScript& b, int max_retries,
                      double timeout_s, const std::string& dir, TestEventSink* sink) {
  FakePlugins plugins;
  plugins.harness.scripts = {b};
  bus::EventBus bus;
  ProcessExecutor executor(6, absl::Milliseconds(200), context, "", &bus);
  CampaignOptions options = Options(FreshDir(dir));
  options.bus = &bus;
  options.progress_interval = absl::ZeroDuration();
  options.test.run.max_retries = max_retries;
  Campaign campaign(Lab({Spec("RUN-ONE", 1, timeout_s)}), options, plugins, executor, *sink);
  ASSERT_TRUE(campaign.Run().ok());
}

TEST_P(CampaignEventsTest, RunningAttemptsAndBuildStepsReachTheSinkBeforeTheyEnd) {
  HarnessScript b = Script("@000b-B");
  b.outcomes = {{"basics/a.py", "pass"}, {"basics/b.py", "fail"}};
  b.hang = true;  // after reporting both: killed at the deadline
  b.reported_before_failing = true;
  TestEventSink sink;
  ASSERT_NO_FATAL_FAILURE(RunWithLiveViews(GetParam(), b, 0, 0.5, "running", &sink));
  EXPECT_THAT(sink.progressed_after_their_run, ::testing::IsEmpty());
  // B's attempt as the reports saw it while it ran: its description, both verdicts at last.
  const proto::TestGroupResult* last_of_b = nullptr;
  for (const proto::TestGroupResult& group : sink.progressed) {
    EXPECT_TRUE(group.running());
    EXPECT_EQ(group.msg_error(), "Test never finished...");
    EXPECT_GT(group.start_s(), 0);
    if (group.tentacle() == "000b-B") last_of_b = &group;
  }
  ASSERT_NE(last_of_b, nullptr);
  EXPECT_THAT(last_of_b->directory_relative(), HasSubstr("RUN-ONE@000b-B"));
  EXPECT_THAT(last_of_b->directory_relative(), ::testing::EndsWith(",a"));
  EXPECT_EQ(last_of_b->testgroup(), "RUN-ONE");
  EXPECT_EQ(last_of_b->board(), "B");
  ASSERT_EQ(last_of_b->outcomes_size(), 2);
  EXPECT_EQ(last_of_b->outcomes(0).outcome(), proto::Outcome::passed);
  EXPECT_EQ(last_of_b->outcomes(1).name(), "basics/b.py");
  EXPECT_EQ(last_of_b->outcomes(1).outcome(), proto::Outcome::failed);
  // Every build: started, its builder's two steps, then finished.
  ASSERT_THAT(sink.builds, ::testing::Contains(::testing::Key("B")));
  for (const auto& [name, said] : sink.builds) {
    EXPECT_THAT(said,
                ::testing::ElementsAre("started", "make 0/1 files", "make 1/1 files", "finished"))
        << name;
  }
}

// A retried run: its first attempt, once the retry reports, shows as it ended (errored, with its
// verdicts), no longer as running, while the retry runs.
TEST_P(CampaignEventsTest, AnAttemptThatEndedShowsAsItEndedWhileItsRetryRuns) {
  HarnessScript b = Script("@000b-B");
  b.outcomes = {{"basics/a.py", "pass"}};
  b.error = "board unreachable";  // every attempt, after reporting
  b.reported_before_failing = true;
  TestEventSink sink;
  ASSERT_NO_FATAL_FAILURE(RunWithLiveViews(GetParam(), b, 1, 5, "retried", &sink));
  EXPECT_THAT(sink.progressed_after_their_run, ::testing::IsEmpty());
  std::vector<std::string> seen;  // B's views in order: "a running", "a ended", "b running"
  for (const proto::TestGroupResult& group : sink.progressed) {
    if (group.tentacle() != "000b-B") continue;
    const std::string view = absl::StrCat(group.attempt(), group.running() ? " running" : " ended");
    if (seen.empty() || seen.back() != view) seen.push_back(view);
    if (!group.running()) {
      EXPECT_THAT(group.msg_error(), HasSubstr("board unreachable"));
      ASSERT_EQ(group.outcomes_size(), 1);
      EXPECT_EQ(group.outcomes(0).outcome(), proto::Outcome::passed);
    }
  }
  // Attempt a may end in the wake-up that brings its reports: then it is never seen running.
  EXPECT_THAT(seen, ::testing::AnyOf(::testing::ElementsAre("a running", "a ended", "b running"),
                                     ::testing::ElementsAre("a ended", "b running")));
}

TEST(CampaignTest, InlineRunawayStillHasADeadline) {
  FakePlugins plugins;
  plugins.harness.scripts = {Script("@000b-B")};
  plugins.harness.scripts[0].hang = true;
  InlineExecutor executor(absl::Milliseconds(100));
  CountingSink sink;
  Campaign campaign(Lab({Spec("RUN-ONE", 1, 0.2)}), Options(FreshDir("inline")), plugins, executor,
                    sink);
  auto summary = campaign.Run();
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->exit_code(), 3);
  EXPECT_EQ(summary->tests_passed(), 2);
}

TEST(CampaignTest, InfrastructureErrorsRetryTwiceThenQuarantine) {
  FakePlugins plugins;
  plugins.harness.scripts = {Script("@000b-B")};
  plugins.harness.scripts[0].error = "board unreachable";
  SimulatedExecutor executor(
      8, [](const std::string&, const std::string&) { return absl::Seconds(1); });
  CountingSink sink;
  CampaignOptions options = Options(FreshDir("retry"));
  options.test.quarantine_after = 1;
  Campaign campaign(Lab({Spec("RUN-ONE"), Spec("RUN-TWO")}), options, plugins, executor, sink);
  auto summary = campaign.Run();
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->exit_code(), 3);
  ASSERT_EQ(summary->quarantined_size(), 1);
  EXPECT_EQ(summary->quarantined(0), "000b-B");
  int b_records = 0;
  for (const auto& record : campaign.records()) {
    if (record.board() != "B") continue;
    ++b_records;
    if (record.attempts_size() == 3) {
      EXPECT_EQ(record.attempts(2).directory_relative(), record.testid() + ",c");
    } else {  // the second spec never ran: the tentacle was quarantined
      EXPECT_THAT(record.error(), HasSubstr("quarantined"));
    }
  }
  EXPECT_EQ(b_records, 2);
  // Each retry starts with a hard reset of the board (its driver can power-cycle).
  EXPECT_EQ(plugins.driver.power_cycled.count("000b-B"), 2u);
}

// Two-tentacle runs: a failing DUT must not get the shared reference quarantined with it.
TEST(CampaignTest, QuarantineCountsTheDutNotTheReference) {
  FakePlugins plugins;
  plugins.harness.scripts = {Script("RUN-MULTI@000b-B")};
  plugins.harness.scripts[0].error = "board unreachable";
  SimulatedExecutor executor(
      8, [](const std::string&, const std::string&) { return absl::Seconds(1); });
  CountingSink sink;
  CampaignOptions options = Options(FreshDir("quarantine-dut"));
  options.test.quarantine_after = 1;
  Campaign campaign(Lab({Spec("RUN-MULTI", 2)}), options, plugins, executor, sink);
  auto summary = campaign.Run();
  ASSERT_TRUE(summary.ok());
  ASSERT_EQ(summary->quarantined_size(), 1);
  EXPECT_EQ(summary->quarantined(0), "000b-B");
  bool a_passed = false;
  for (const auto& record : campaign.records()) {
    if (record.board() == "A") a_passed |= record.error().empty();
  }
  EXPECT_TRUE(a_passed) << "the reference was taken out with the faulty DUT";
}

// ...and a reference whose flashing fails is the one quarantined, not the DUTs it serves.
TEST(CampaignTest, QuarantineCountsTheTentacleTheErrorIsPinnedOn) {
  FakePlugins plugins;
  plugins.driver.fail_flash = {"000r-REF"};
  SimulatedExecutor executor(
      8, [](const std::string&, const std::string&) { return absl::Seconds(1); });
  CountingSink sink;
  CampaignOptions options = Options(FreshDir("quarantine-ref"));
  options.test.quarantine_after = 2;
  Campaign campaign(Lab({Spec("RUN-ONE"), Spec("RUN-MULTI", 2)}), options, plugins, executor, sink);
  auto summary = campaign.Run();
  ASSERT_TRUE(summary.ok());
  ASSERT_EQ(summary->quarantined_size(), 1);
  EXPECT_EQ(summary->quarantined(0), "000r-REF");
  int one_tentacle_passed = 0;
  for (const auto& record : campaign.records()) {
    if (record.label() == "RUN-ONE" && record.error().empty()) ++one_tentacle_passed;
    if (record.label() == "RUN-MULTI" && record.attempts_size() > 1) {
      EXPECT_EQ(record.faulty_tentacle(), "000r-REF");
    }
  }
  EXPECT_EQ(one_tentacle_passed, 3);  // A, A-THREAD and B still ran
}

TEST(CampaignTest, CountRepeatsFailedGroupsAndNamesFlakyTests) {
  FakePlugins plugins;
  plugins.harness.scripts = {Script("@000b-B")};
  plugins.harness.scripts[0].fail_first_attempts = 1;
  SimulatedExecutor executor(
      8, [](const std::string&, const std::string&) { return absl::Seconds(1); });
  CountingSink sink;
  CampaignOptions options = Options(FreshDir("count"));
  options.test.run.count = 3;
  Campaign campaign(Lab({Spec("RUN-ONE")}), options, plugins, executor, sink);
  auto summary = campaign.Run();
  ASSERT_TRUE(summary.ok());
  ASSERT_EQ(summary->flaky_size(), 1);
  EXPECT_EQ(summary->flaky(0), "RUN-ONE: basics/a.py on B");
  EXPECT_EQ(summary->exit_code(), 1);  // flaky is not "all passed"
  for (const auto& record : campaign.records()) {
    EXPECT_EQ(record.attempts_size(), record.board() == "B" ? 3 : 1) << record.testid();
  }
}

TEST(CampaignTest, XfailTurnsKnownFailuresIntoExpected) {
  FakePlugins plugins;
  plugins.harness.scripts = {Script("@000b-B")};
  plugins.harness.scripts[0].outcomes = {{"basics/a.py", "fail"}};
  SimulatedExecutor executor(
      8, [](const std::string&, const std::string&) { return absl::Seconds(1); });
  CountingSink sink;
  absl::StatusOr<Xfail> xfail = Xfail::Parse(R"({"RUN-ONE": {"basics/a.py": ["B"]}})", "x.json");
  ASSERT_TRUE(xfail.ok());
  CampaignOptions options = Options(FreshDir("xfail"));
  options.test.xfail = &*xfail;
  Campaign campaign(Lab({Spec("RUN-ONE")}), options, plugins, executor, sink);
  auto summary = campaign.Run();
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->tests_xfailed(), 1);
  EXPECT_EQ(summary->exit_code(), 0);
}

TEST(CampaignTest, SecondCampaignTakesFirmwareFromCacheAndSkipsFlashing) {
  FakePlugins plugins;
  std::string cache = FreshDir("cache");
  for (int round = 0; round < 2; ++round) {
    SimulatedExecutor executor(
        8, [](const std::string&, const std::string&) { return absl::Seconds(1); });
    CountingSink sink;
    CampaignOptions options = Options(FreshDir("cached"));
    options.build.cache_dir = cache;
    options.build.source_revision = "git:abc+clean";
    Campaign campaign(Lab({Spec("RUN-ONE")}), options, plugins, executor, sink);
    ASSERT_TRUE(campaign.Run().ok());
    for (const auto& build : campaign.builds()) {
      EXPECT_EQ(build.from_cache(), round == 1) << build.board();
    }
  }
}

TEST(CampaignTest, FlashOnlyWhenTheBoardReportsAnotherVersion) {
  FakePlugins plugins;
  std::string results = FreshDir("flash");
  SimulatedExecutor executor(
      8, [](const std::string&, const std::string&) { return absl::Seconds(1); });
  CountingSink sink;
  CampaignPlan plan = Lab({Spec("RUN-ONE"), Spec("RUN-TWO")});
  plan.variants_by_board = {{"B", {""}}};
  plan.reference.clear();
  Campaign campaign(plan, Options(results), plugins, executor, sink);
  ASSERT_TRUE(campaign.Run().ok());
  ASSERT_EQ(campaign.records().size(), 2u);
  EXPECT_TRUE(campaign.records()[0].flashed());
  EXPECT_FALSE(campaign.records()[1].flashed());  // already runs that version
}

TEST(CampaignTest, InterruptEndsRunningJobsAndRecordsTheRestAsSkipped) {
  FakePlugins plugins;
  plugins.harness.scripts = {Script("@")};
  plugins.harness.scripts[0].hang = true;  // every run hangs until it is ended
  ForkExecutor executor(6, absl::Milliseconds(200));
  CountingSink sink;
  CampaignOptions options = Options(FreshDir("interrupt"));
  absl::Time stop_at = absl::Now() + absl::Milliseconds(500);
  options.interrupted = [stop_at] { return absl::Now() >= stop_at; };
  Campaign campaign(Lab({Spec("RUN-ONE", 1, /*timeout=*/600), Spec("RUN-TWO", 1, 600)}), options,
                    plugins, executor, sink);
  absl::Time start = absl::Now();
  auto summary = campaign.Run();
  ASSERT_TRUE(summary.ok());
  EXPECT_LT(absl::Now() - start, absl::Seconds(20));
  EXPECT_TRUE(summary->interrupted());
  EXPECT_EQ(summary->exit_code(), 3);
  EXPECT_EQ(campaign.records().size(), 6u);  // every cell accounted for exactly once
  // The runs under way end interrupted: one attempt each (no retry), no infrastructure error,
  // so nothing counts toward quarantine.
  int interrupted = 0, skipped = 0;
  for (const auto& record : campaign.records()) {
    EXPECT_EQ(record.error(), "") << record.testid();
    ASSERT_EQ(record.attempts_size(), 1) << record.testid();
    if (!record.attempts(0).msg_interrupted().empty()) {
      ++interrupted;
      EXPECT_EQ(record.attempts(0).msg_error(), "");
    }
    if (!record.attempts(0).msg_skipped().empty()) ++skipped;
  }
  EXPECT_GT(interrupted, 0);
  EXPECT_EQ(interrupted + skipped, 6);
  EXPECT_EQ(summary->groups_interrupted(), interrupted);
  EXPECT_EQ(summary->groups_errored(), 0);
  EXPECT_TRUE(summary->quarantined().empty());
}

class StoppingSink : public CountingSink {
 public:
  int stopping = 0;
  void CampaignStopping() override { ++stopping; }
};

TEST(CampaignTest, SecondInterruptKillsWhatRunsAtOnceInsteadOfAfterTheGrace) {
  FakePlugins plugins;
  plugins.harness.scripts = {Script("@")};
  plugins.harness.scripts[0].hang = true;  // the inline run never returns by itself
  // The first interrupt's grace for a run that ignores it: longer than the bound below.
  InlineExecutor executor(absl::Seconds(60));
  StoppingSink sink;
  CampaignOptions options = Options(FreshDir("hurry"));
  options.interrupted = [&sink] { return sink.started > 0; };
  int hurry_polls = 0;
  options.hurry = [&hurry_polls] { return ++hurry_polls >= 2; };  // on a later loop pass
  Campaign campaign(Lab({Spec("RUN-ONE", 1, /*timeout=*/600)}), options, plugins, executor, sink);
  absl::Time start = absl::Now();
  auto summary = campaign.Run();
  ASSERT_TRUE(summary.ok());
  EXPECT_LT(absl::Now() - start, absl::Seconds(20));
  EXPECT_GE(hurry_polls, 2);
  EXPECT_EQ(sink.stopping, 1);
  EXPECT_TRUE(summary->interrupted());
  EXPECT_EQ(summary->exit_code(), 3);
  ASSERT_EQ(campaign.records().size(), 3u);
  int interrupted = 0;
  for (const auto& record : campaign.records()) {
    EXPECT_EQ(record.error(), "") << record.testid();
    ASSERT_EQ(record.attempts_size(), 1) << record.testid();
    if (!record.attempts(0).msg_interrupted().empty()) {
      ++interrupted;
      // Its boards were powered off after the kill, and again with every tentacle at the end.
      EXPECT_EQ(plugins.driver.stopped.count(record.tentacles(0)), 2u) << record.testid();
    }
  }
  EXPECT_EQ(interrupted, 1);  // inline: one run at a time
  EXPECT_EQ(summary->groups_errored(), 0);
}

TEST(CampaignTest, ABuildThatFailsForTheHostEndsTheCampaignAsAHostError) {
  FakePlugins plugins;
  plugins.builder.fail = {"B"};
  plugins.builder.fail_cause = ": pipe2: Too many open files";
  OneSpecRun run = RunOneSpec(plugins, "buildhost", /*capacity=*/1);
  const auto& summary = run.summary;
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->exit_code(), 3);
  EXPECT_THAT(summary->host_error(), HasSubstr("Too many open files"));
  EXPECT_TRUE(summary->quarantined().empty());
  for (const auto& record : run.records) {
    // Not the board's failure: B's run is not errored for it (what never ran is skipped).
    EXPECT_THAT(record.error(), Not(HasSubstr("firmware build for B failed"))) << record.testid();
  }
}

TEST(CampaignTest, ATentacleThatCannotStartForTheHostEndsTheCampaignBeforeAnyRun) {
  FakePlugins plugins;
  plugins.driver.fail_start = {"000b-B"};
  plugins.driver.fail_start_cause = ": openpty: Too many open files";
  OneSpecRun run = RunOneSpec(plugins, "starthost");
  ASSERT_FALSE(run.summary.ok());  // not a campaign with a quarantined tentacle
  EXPECT_THAT(run.summary.status().message(), HasSubstr("tentacle 000b-B: cannot start"));
  EXPECT_THAT(run.summary.status().message(), HasSubstr("Too many open files"));
  EXPECT_EQ(run.runs_started, 0);
  EXPECT_EQ(plugins.driver.stopped.count("000a-A"), 1u);  // what came up is powered off
}

// One board B with one tentacle; RUN-A takes 1 s, RUN-M 5 s, RUN-Z 50 s (simulated).
CampaignPlan OneTentacle() {
  CampaignPlan plan = Lab({Spec("RUN-A", 1, 100), Spec("RUN-M", 1, 100), Spec("RUN-Z", 1, 100)});
  plan.variants_by_board = {{"B", {""}}};
  plan.reference.clear();
  return plan;
}

absl::Duration ByLabel(const std::string& name, const std::string&) {
  if (name.rfind("RUN-Z", 0) == 0) return absl::Seconds(50);
  if (name.rfind("RUN-M", 0) == 0) return absl::Seconds(5);
  return absl::Seconds(1);
}

std::vector<std::string> LabelOrder(const Campaign& campaign) {
  std::vector<std::string> labels;
  for (const auto& record : campaign.records()) labels.push_back(record.label());
  return labels;
}

TEST(CampaignTest, SecondCampaignStartsTheLongRunsTheFirstOneMeasuredFirst) {
  FakePlugins plugins;
  std::string cache = FreshDir("history");
  std::vector<std::vector<std::string>> orders;
  for (int round = 0; round < 2; ++round) {
    SimulatedExecutor executor(8, ByLabel);
    CountingSink sink;
    CampaignOptions options = Options(FreshDir("history-run"));
    options.build.cache_dir = cache;
    Campaign campaign(OneTentacle(), options, plugins, executor, sink);
    auto summary = campaign.Run();
    ASSERT_TRUE(summary.ok()) << summary.status();
    EXPECT_EQ(summary->exit_code(), 0);
    orders.push_back(LabelOrder(campaign));
  }
  // First: nothing known, the anchor's order. Second: the history, longest first.
  EXPECT_EQ(orders[0], (std::vector<std::string>{"RUN-A", "RUN-M", "RUN-Z"}));
  EXPECT_EQ(orders[1], (std::vector<std::string>{"RUN-Z", "RUN-M", "RUN-A"}));
  absl::StatusOr<DurationEstimates> history = LoadDurationHistory(cache + "/durations.tsv");
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ((*history)[EstimateKey("RUN-Z", "B", "")], 50);
  EXPECT_EQ((*history)[EstimateKey("RUN-A", "B", "")], 1);
}

// What the console's "~N left" shows: the scheduler's estimate, from the history when there is
// one, else only once a run has ended.
class EstimateSink : public CountingSink {
 public:
  std::vector<std::pair<int, double>> estimates;  // (runs finished by then, seconds left)
  void RemainingEstimate(double seconds) override { estimates.emplace_back(finished, seconds); }
};

TEST(CampaignTest, RemainingEstimateComesFromTheRunDurations) {
  FakePlugins plugins;
  std::string cache = FreshDir("estimate");
  std::vector<std::vector<std::pair<int, double>>> rounds;
  for (int round = 0; round < 2; ++round) {
    SimulatedExecutor executor(8, ByLabel);
    EstimateSink sink;
    CampaignOptions options = Options(FreshDir("estimate-run"));
    options.build.cache_dir = cache;
    Campaign campaign(OneTentacle(), options, plugins, executor, sink);
    ASSERT_TRUE(campaign.Run().ok());
    ASSERT_FALSE(sink.estimates.empty());
    rounds.push_back(sink.estimates);
  }
  // First campaign: nothing known until RUN-A (1 s) has ended.
  EXPECT_GE(rounds[0].front().first, 1);
  // Second: from the start, the 56 s of work on the one tentacle, going down as runs end.
  EXPECT_EQ(rounds[1].front().first, 0);
  EXPECT_NEAR(rounds[1].front().second, 56, 1);
  EXPECT_LT(rounds[1].back().second, rounds[1].front().second);
  for (const auto& [finished, seconds] : rounds[1]) EXPECT_GE(seconds, 0) << finished;
}

// A run's duration in the history leaves out the flashing before it.
TEST(CampaignTest, HistoryLeavesOutFlashingTime) {
  FakePlugins plugins;
  plugins.driver.flash_duration = absl::Milliseconds(600);
  plugins.harness.scripts = {Script("RUN-")};
  plugins.harness.scripts[0].duration = absl::Milliseconds(150);
  InlineExecutor executor(absl::Milliseconds(50));
  CountingSink sink;
  std::string cache = FreshDir("history-flash");
  CampaignOptions options = Options(FreshDir("history-flash-run"));
  options.build.cache_dir = cache;
  CampaignPlan plan = OneTentacle();
  plan.specs.resize(1);  // RUN-A
  Campaign campaign(plan, options, plugins, executor, sink);
  auto summary = campaign.Run();
  ASSERT_TRUE(summary.ok()) << summary.status();
  ASSERT_EQ(campaign.records().size(), 1u);
  ASSERT_TRUE(campaign.records()[0].flashed());
  absl::StatusOr<DurationEstimates> history = LoadDurationHistory(cache + "/durations.tsv");
  ASSERT_TRUE(history.ok()) << history.status();
  const double seconds = (*history)[EstimateKey(campaign.records()[0].label(), "B", "")];
  EXPECT_GE(seconds, 0.14);
  EXPECT_LT(seconds, 0.55) << "the 0.6 s flash was counted as the run's own time";
}

// Runs the campaign with glog's output captured into *log.
absl::StatusOr<proto::CampaignSummary> RunCapturingLog(Campaign& campaign, std::string* log) {
  bool logtostderr = FLAGS_logtostderr;
  FLAGS_logtostderr = true;
  ::testing::internal::CaptureStderr();
  auto summary = campaign.Run();
  *log = ::testing::internal::GetCapturedStderr();
  FLAGS_logtostderr = logtostderr;
  return summary;
}

TEST(CampaignTest, CorruptHistoryWarnsNamingTheLineAndTheCampaignRuns) {
  FakePlugins plugins;
  std::string cache = FreshDir("corrupt-history");
  ASSERT_TRUE(
      report::WriteFileAtomically(cache + "/durations.tsv", "RUN-Z\tB\t\t50\nRUN-A\tB\n").ok());
  SimulatedExecutor executor(8, ByLabel);
  CountingSink sink;
  CampaignOptions options = Options(FreshDir("corrupt-history-run"));
  options.build.cache_dir = cache;
  Campaign campaign(OneTentacle(), options, plugins, executor, sink);
  std::string log;
  auto summary = RunCapturingLog(campaign, &log);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->exit_code(), 0);
  EXPECT_THAT(log, HasSubstr(cache + "/durations.tsv:2: expected 4 tab-separated fields"));
  EXPECT_THAT(log, HasSubstr("going on without run-time history"));
  // Without history (not even line 1's): the anchor's order; the file is whole again after.
  EXPECT_EQ(LabelOrder(campaign), (std::vector<std::string>{"RUN-A", "RUN-M", "RUN-Z"}));
  absl::StatusOr<DurationEstimates> history = LoadDurationHistory(cache + "/durations.tsv");
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(history->size(), 3u);
}

TEST(CampaignTest, NoCacheDirectoryMeansNoHistoryFile) {
  FakePlugins plugins;
  SimulatedExecutor executor(8, ByLabel);
  CountingSink sink;
  std::string results = FreshDir("no-history");
  CampaignOptions options = Options(results);
  options.build.cache_dir = "";
  Campaign campaign(OneTentacle(), options, plugins, executor, sink);
  ASSERT_TRUE(campaign.Run().ok());
  struct stat info;
  EXPECT_NE(stat((results + "/durations.tsv").c_str(), &info), 0);
  EXPECT_NE(stat("durations.tsv", &info), 0);
}

TEST(CampaignTest, UnreadableHistoryWarnsAndTheCampaignRuns) {
  FakePlugins plugins;
  std::string cache = FreshDir("unreadable-history");
  ASSERT_EQ(mkdir((cache + "/durations.tsv").c_str(), 0755), 0);  // a directory: cannot be read
  SimulatedExecutor executor(8, ByLabel);
  CountingSink sink;
  CampaignOptions options = Options(FreshDir("unreadable-history-run"));
  options.build.cache_dir = cache;
  Campaign campaign(OneTentacle(), options, plugins, executor, sink);
  std::string log;
  auto summary = RunCapturingLog(campaign, &log);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->exit_code(), 0);
  EXPECT_EQ(summary->tests_passed(), 3);
  EXPECT_THAT(log, HasSubstr(cache + "/durations.tsv"));
  EXPECT_THAT(log, HasSubstr("going on without run-time history"));
  EXPECT_THAT(log, HasSubstr("run-time history not saved"));
}

}  // namespace
}  // namespace mptest::sched
