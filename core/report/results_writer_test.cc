// Tests of ResultsWriter and RebuildReports: incremental writes, a rebuild from disk, a run
// killed in the middle, bad input, and a full disk.
#include "core/report/results_writer.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/report/atomic_file.h"
#include "core/report/json_io.h"
#include "core/report/test_child.h"
#include "core/report/test_results.h"
#include "gtest/gtest.h"

namespace mptest::report {
namespace {

using testing::SampleContext;
using testing::SampleResults;

std::string NewDir(const std::string& name) {
  std::string dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name);
  EXPECT_TRUE(MakeDirectories(dir).ok());
  return dir;
}

// Copies a fixture tree from the runfiles (read-only symlinks) into a writable directory.
void CopyTree(const std::string& from, const std::string& to) {
  ASSERT_TRUE(MakeDirectories(to).ok());
  DIR* handle = opendir(from.c_str());
  ASSERT_NE(handle, nullptr) << from;
  while (dirent* entry = readdir(handle)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    struct stat info;
    ASSERT_EQ(stat((from + "/" + name).c_str(), &info), 0);
    if (S_ISDIR(info.st_mode)) {
      CopyTree(from + "/" + name, to + "/" + name);
    } else {
      ASSERT_TRUE(WriteFileAtomically(to + "/" + name, *ReadFile(from + "/" + name)).ok());
    }
  }
  closedir(handle);
}

std::string Fixture(const std::string& name) {
  std::string dir = NewDir("fixture-" + name);
  CopyTree(absl::StrCat(std::getenv("TEST_SRCDIR"), "/mptest/testdata/results/", name), dir);
  return dir;
}

proto::CampaignResults ReadResultsJson(const std::string& dir) {
  proto::CampaignResults results;
  absl::StatusOr<std::string> json = ReadFile(dir + "/results.json");
  EXPECT_TRUE(json.ok()) << json.status();
  EXPECT_TRUE(JsonToMessage(json.value_or(""), "results.json", &results).ok());
  return results;
}

TEST(ResultsWriterTest, CreateWritesUnfinishedContextAndEmptyReports) {
  const std::string dir = NewDir("create");
  auto writer = ResultsWriter::Create(dir, SampleContext());
  ASSERT_TRUE(writer.ok()) << writer.status();
  proto::CampaignContext context;
  ASSERT_TRUE(JsonToMessage(*ReadFile(dir + "/context.json"), "context.json", &context).ok());
  EXPECT_EQ(context.error(), kNeverFinished);
  EXPECT_EQ(context.time_start(), "2026-11-23_02-00-00+0000");
  for (const char* name : {"results.json", "junit.xml", "report.md", "report.html"}) {
    EXPECT_TRUE(ReadFile(dir + "/" + name).ok()) << name;
  }
  EXPECT_FALSE(ResultsWriter::Create(dir + "/missing", SampleContext()).ok());
}

TEST(ResultsWriterTest, GroupsAppearAsTheyArriveAndRebuildMatches) {
  const std::string dir = NewDir("incremental");
  proto::CampaignResults sample = SampleResults();
  proto::CampaignContext context = sample.context();
  context.clear_builds();
  auto writer = ResultsWriter::Create(dir, context);
  ASSERT_TRUE(writer.ok()) << writer.status();
  for (const proto::FirmwareBuild& build : sample.context().builds()) {
    ASSERT_TRUE((*writer)->AddBuild(build).ok());
  }
  int added = 0;
  for (const proto::TestGroupResult& group : sample.groups()) {
    ASSERT_TRUE((*writer)->StartGroup(group).ok());
    const std::string group_file =
        dir + "/" + group.directory_relative() + "/context_testgroup.json";
    proto::TestGroupResult started;
    ASSERT_TRUE(JsonToMessage(*ReadFile(group_file), group_file, &started).ok());
    EXPECT_EQ(started.msg_error(),
              group.msg_error().empty() ? std::string(kNeverFinished) : group.msg_error());
    ASSERT_TRUE((*writer)->AddGroup(group).ok());
    ++added;
    EXPECT_EQ(ReadResultsJson(dir).groups_size(), added);
    EXPECT_TRUE(absl::StrContains(*ReadFile(dir + "/report.html"), group.directory_relative()));
    EXPECT_TRUE(ReadFile(dir + "/" + group.directory_relative() + "/testresults.txt").ok());
  }
  ASSERT_TRUE((*writer)->Finish("").ok());
  proto::CampaignResults written = ReadResultsJson(dir);
  EXPECT_EQ(written.context().error(), "");
  EXPECT_EQ(written.summary().tests_total(), 13);
  EXPECT_EQ(written.summary().groups_errored(), 1);
  EXPECT_NE(written.context().time_end(), "");

  const std::string before = *ReadFile(dir + "/results.json");
  const std::string junit_before = *ReadFile(dir + "/junit.xml");
  const std::string html_before = *ReadFile(dir + "/report.html");
  ASSERT_TRUE(RebuildReports(dir).ok());
  EXPECT_EQ(*ReadFile(dir + "/results.json"), before);
  EXPECT_EQ(*ReadFile(dir + "/junit.xml"), junit_before);
  EXPECT_EQ(*ReadFile(dir + "/report.html"), html_before);
}

// The flash of a DUT reaches report.html's timeline as a "flash" bar, and survives a rebuild
// from disk (it is kept in the attempt's context_testgroup.json); an unflashed run has none.
TEST(ResultsWriterTest, FlashedRunDrawsAFlashBarAndUnflashedDoesNot) {
  for (bool flashed : {true, false}) {
    const std::string dir = NewDir(flashed ? "flashed" : "unflashed");
    auto writer = ResultsWriter::Create(dir, SampleContext());
    ASSERT_TRUE(writer.ok()) << writer.status();
    proto::TestGroupResult group = SampleResults().groups(0);
    if (flashed) {
      group.set_flash_start_s(group.start_s() + 0.5);
      group.set_flash_end_s(group.start_s() + 1.5);
    }
    ASSERT_TRUE((*writer)->AddGroup(group).ok());
    ASSERT_TRUE((*writer)->Finish("").ok());
    const char kFlashBar[] = "<rect class=\"bar flash\"";
    EXPECT_EQ(absl::StrContains(*ReadFile(dir + "/report.html"), kFlashBar), flashed);
    ASSERT_TRUE(RebuildReports(dir).ok());
    EXPECT_EQ(absl::StrContains(*ReadFile(dir + "/report.html"), kFlashBar), flashed);
  }
}

// The live view: an attempt under way shows in results.json and the reports as running, with
// its verdicts so far, until its end replaces it; what is left of it at the end is dropped.
TEST(ResultsWriterTest, RunningAttemptsShowUntilTheirEndReplacesThem) {
  const std::string dir = NewDir("running");
  ResultsWriterOptions options;
  options.running_interval = absl::ZeroDuration();
  auto writer = ResultsWriter::Create(dir, SampleContext(), options);
  ASSERT_TRUE(writer.ok());
  proto::TestGroupResult finished = SampleResults().groups(0);
  ASSERT_GE(finished.outcomes_size(), 2);
  proto::TestGroupResult running = finished;
  running.clear_end_s();
  running.clear_time_end();
  running.mutable_outcomes()->DeleteSubrange(1, finished.outcomes_size() - 1);
  ASSERT_TRUE((*writer)->UpdateRunning(running).ok());
  proto::CampaignResults live = ReadResultsJson(dir);
  ASSERT_EQ(live.groups_size(), 1);
  EXPECT_TRUE(live.groups(0).running());
  EXPECT_EQ(live.groups(0).msg_error(), kNeverFinished);
  EXPECT_EQ(live.groups(0).outcomes_size(), 1);
  EXPECT_GT(live.groups(0).end_s(), 0);  // so far: the timeline draws it up to now
  EXPECT_EQ(live.summary().groups_running(), 1);
  EXPECT_EQ(live.summary().groups_errored(), 0);
  EXPECT_TRUE(absl::StrContains(*ReadFile(dir + "/report.md"), "## Running groups"));
  EXPECT_TRUE(absl::StrContains(*ReadFile(dir + "/report.md"), "1 tests so far"));
  EXPECT_TRUE(absl::StrContains(*ReadFile(dir + "/report.html"), "<table id=\"running\">"));
  EXPECT_TRUE(absl::StrContains(*ReadFile(dir + "/junit.xml"), "type=\"running\""));
  // Not this writer's file: the run writes its own context_testgroup.json.
  EXPECT_FALSE(ReadFile(dir + "/" + running.directory_relative() + "/context_testgroup.json").ok());

  ASSERT_TRUE((*writer)->AddGroup(finished).ok());
  ASSERT_TRUE((*writer)->UpdateRunning(running).ok());  // a straggler: ignored
  proto::CampaignResults ended = ReadResultsJson(dir);
  ASSERT_EQ(ended.groups_size(), 1);
  EXPECT_FALSE(ended.groups(0).running());
  EXPECT_EQ(ended.groups(0).outcomes_size(), finished.outcomes_size());
  EXPECT_EQ(ended.summary().groups_running(), 0);

  proto::TestGroupResult never_ended = SampleResults().groups(1);
  ASSERT_TRUE((*writer)->UpdateRunning(never_ended).ok());
  EXPECT_EQ(ReadResultsJson(dir).groups_size(), 2);
  ASSERT_TRUE((*writer)->Finish("").ok());
  proto::CampaignResults final_results = ReadResultsJson(dir);
  ASSERT_EQ(final_results.groups_size(), 1);
  EXPECT_EQ(final_results.groups(0).directory_relative(), finished.directory_relative());
  EXPECT_FALSE(absl::StrContains(*ReadFile(dir + "/report.md"), "Running groups"));
}

TEST(ResultsWriterTest, RunningUpdatesAreThrottledButKept) {
  const std::string dir = NewDir("running-interval");
  ResultsWriterOptions options;
  options.running_interval = absl::Hours(1);
  auto writer = ResultsWriter::Create(dir, SampleContext(), options);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->UpdateRunning(SampleResults().groups(0)).ok());
  EXPECT_EQ(ReadResultsJson(dir).groups_size(), 0);  // written at Create, less than an hour ago
  EXPECT_EQ((*writer)->Snapshot().summary().groups_running(), 1);
  // A finished attempt is not held back by the running interval, and brings the live one along.
  ASSERT_TRUE((*writer)->AddGroup(SampleResults().groups(1)).ok());
  EXPECT_EQ(ReadResultsJson(dir).summary().groups_running(), 1);
}

TEST(ResultsWriterTest, ReportIntervalThrottlesOnlyTheAggregates) {
  const std::string dir = NewDir("interval");
  ResultsWriterOptions options;
  options.report_interval = absl::Hours(1);
  auto writer = ResultsWriter::Create(dir, SampleContext(), options);
  ASSERT_TRUE(writer.ok());
  proto::TestGroupResult group = SampleResults().groups(1);
  ASSERT_TRUE((*writer)->AddGroup(group).ok());
  // The attempt's own file is there at once (a rebuild would find it); results.json waits.
  EXPECT_TRUE(ReadFile(dir + "/" + group.directory_relative() + "/context_testgroup.json").ok());
  EXPECT_EQ(ReadResultsJson(dir).groups_size(), 0);
  EXPECT_EQ((*writer)->Snapshot().groups_size(), 1);
  ASSERT_TRUE((*writer)->Finish("interrupted by SIGTERM").ok());
  proto::CampaignResults results = ReadResultsJson(dir);
  EXPECT_EQ(results.groups_size(), 1);
  EXPECT_EQ(results.context().error(), "interrupted by SIGTERM");
}

TEST(ResultsWriterTest, DeferredAggregatesWaitForFinish) {
  const std::string dir = NewDir("deferred");
  auto writer = ResultsWriter::Create(dir, SampleContext());  // no interval: every group writes
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->AddGroup(SampleResults().groups(0)).ok());
  EXPECT_EQ(ReadResultsJson(dir).groups_size(), 1);
  (*writer)->DeferAggregates();  // the campaign is being stopped
  proto::TestGroupResult group = SampleResults().groups(1);
  ASSERT_TRUE((*writer)->AddGroup(group).ok());
  EXPECT_TRUE(ReadFile(dir + "/" + group.directory_relative() + "/context_testgroup.json").ok());
  EXPECT_EQ(ReadResultsJson(dir).groups_size(), 1);
  ASSERT_TRUE((*writer)->Finish("interrupted (SIGINT/SIGTERM)").ok());
  EXPECT_EQ(ReadResultsJson(dir).groups_size(), 2);
}

TEST(ResultsWriterTest, AGroupWhoseFilesCannotBeWrittenIsStillCounted) {
  const std::string dir = NewDir("unwritable-group");
  auto writer = ResultsWriter::Create(dir, SampleContext());
  ASSERT_TRUE(writer.ok());
  proto::TestGroupResult group = SampleResults().groups(1);
  // A file where the attempt's directory should be: its files cannot be written.
  ASSERT_TRUE(WriteFileAtomically(dir + "/" + group.directory_relative(), "in the way").ok());
  EXPECT_FALSE((*writer)->AddGroup(group).ok());
  EXPECT_EQ((*writer)->Snapshot().groups_size(), 1);  // the summary counts it
  ASSERT_TRUE((*writer)->Finish("").ok());
  EXPECT_EQ(ReadResultsJson(dir).groups_size(), 1);
}

TEST(ResultsWriterTest, TestResultsTxtOfTheHarnessIsKept) {
  const std::string dir = NewDir("keep-txt");
  auto writer = ResultsWriter::Create(dir, SampleContext());
  ASSERT_TRUE(writer.ok());
  proto::TestGroupResult group = SampleResults().groups(1);
  ASSERT_TRUE((*writer)->StartGroup(group).ok());
  const std::string txt = dir + "/" + group.directory_relative() + "/testresults.txt";
  ASSERT_TRUE(WriteFileAtomically(txt, "raw harness output\n").ok());
  ASSERT_TRUE((*writer)->AddGroup(group).ok());
  EXPECT_EQ(*ReadFile(txt), "raw harness output\n");
}

TEST(ResultsWriterTest, RejectsEscapingDirectoriesAndUnknownOutcomes) {
  const std::string dir = NewDir("reject");
  auto writer = ResultsWriter::Create(dir, SampleContext());
  ASSERT_TRUE(writer.ok());
  proto::TestGroupResult group = SampleResults().groups(1);
  for (const char* bad : {"../outside,a", "/abs,a", "", "a//b", "a/./b"}) {
    group.set_directory_relative(bad);
    absl::Status status = (*writer)->AddGroup(group);
    EXPECT_TRUE(absl::IsInvalidArgument(status)) << bad << ": " << status;
  }
  group = SampleResults().groups(1);
  group.mutable_outcomes(0)->set_outcome(proto::Outcome::verdict_unspecified);
  absl::Status status = (*writer)->AddGroup(group);
  EXPECT_TRUE(absl::StrContains(status.message(), "has no outcome")) << status;
}

TEST(RebuildReportsTest, KilledRunKeepsWhatWasOnDisk) {
  const std::string dir = Fixture("killed_run");
  // A build child killed while it wrote its firmware (pid 99999999 is not running).
  ASSERT_TRUE(MakeDirectories(dir + "/mpbuild/PYBV11").ok());
  ASSERT_TRUE(WriteFileAtomically(dir + "/mpbuild/PYBV11/firmware.dfu.tmp-99999999", "half").ok());
  ASSERT_TRUE(RebuildReports(dir).ok()) << RebuildReports(dir);
  EXPECT_TRUE(
      absl::IsNotFound(ReadFile(dir + "/mpbuild/PYBV11/firmware.dfu.tmp-99999999").status()))
      << "the half-written firmware of the killed builder is removed";
  proto::CampaignResults results = ReadResultsJson(dir);
  EXPECT_EQ(results.context().error(), kNeverFinished);
  ASSERT_EQ(results.groups_size(), 2);
  // The killed attempt: its error stays, its harness's verdicts are shown.
  const proto::TestGroupResult& killed = results.groups(0);
  EXPECT_EQ(killed.directory_relative(), "RUN-TESTS_STANDARD@2d2d-PYBV11,a");
  EXPECT_EQ(killed.msg_error(), kNeverFinished);
  ASSERT_EQ(killed.outcomes_size(), 2);
  EXPECT_EQ(killed.outcomes(1).outcome(), proto::Outcome::skipped);
  EXPECT_EQ(results.summary().groups_errored(), 1);
  EXPECT_EQ(results.summary().groups_run(), 1);
  EXPECT_EQ(results.summary().tests_failed(), 1);
  const std::string html = *ReadFile(dir + "/report.html");
  EXPECT_TRUE(absl::StrContains(html, "Campaign error: Test never finished..."));
  EXPECT_TRUE(absl::StrContains(html, "basics/int_big.py"));
  EXPECT_TRUE(ReadFile(dir + "/junit.xml").ok());
  EXPECT_TRUE(absl::IsNotFound(ReadFile(dir + "/results.json.tmp-99999999").status()))
      << "the half-written file of the killed writer is removed";
}

TEST(RebuildReportsTest, BadInputNamesTheFile) {
  absl::Status status = RebuildReports(Fixture("bad_outcome"));
  EXPECT_TRUE(absl::StrContains(status.message(), "RUN-TESTS_STANDARD@x,a/context_testgroup.json"))
      << status;
  EXPECT_TRUE(
      absl::StrContains(status.message(), "test \"basics/andor.py\" has no outcome mptest knows"))
      << status;
  status = RebuildReports(NewDir("not-results"));
  EXPECT_TRUE(absl::StrContains(status.message(), "is not an mptest results directory")) << status;
}

// A runner killed with SIGKILL while it writes: every file on disk is complete, and the report
// can be rebuilt from them.
TEST(RebuildReportsTest, RunnerKilledWhileWriting) {
  const std::string dir = NewDir("sigkill");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto writer = ResultsWriter::Create(dir, SampleContext());
    if (!writer.ok()) _exit(1);
    proto::TestGroupResult group = SampleResults().groups(2);
    for (int i = 0;; ++i) {
      group.set_directory_relative(absl::StrCat("RUN-TESTS_STANDARD@5f2c-RPI_PICO2,", i));
      group.set_attempt(absl::StrCat(i));
      if (!(*writer)->StartGroup(group).ok() || !(*writer)->AddGroup(group).ok()) _exit(2);
    }
  }
  // Kill it once it has written at least 20 attempts (or after 20 s at most).
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  int seen = 0;
  while (absl::Now() < deadline && seen < 20) {
    absl::StatusOr<std::string> json = ReadFile(dir + "/results.json");
    proto::CampaignResults results;
    if (json.ok() && JsonToMessage(*json, "results.json", &results).ok()) {
      seen = results.groups_size();
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the writer exited early with " << WEXITSTATUS(status);
  ASSERT_GE(seen, 20);

  proto::CampaignResults partial = ReadResultsJson(dir);
  EXPECT_GE(partial.groups_size(), 20);
  ASSERT_TRUE(RebuildReports(dir).ok()) << RebuildReports(dir);
  proto::CampaignResults rebuilt = ReadResultsJson(dir);
  EXPECT_GE(rebuilt.groups_size(), partial.groups_size());
  EXPECT_EQ(rebuilt.context().error(), kNeverFinished);
  DIR* handle = opendir(dir.c_str());
  while (dirent* entry = readdir(handle)) {
    EXPECT_FALSE(absl::StrContains(entry->d_name, ".tmp-")) << entry->d_name;
  }
  closedir(handle);
}

// The disk fills up (a 64 KiB file size limit in a child): the error names the file and the
// reports written before stay complete.
TEST(ResultsWriterTest, FullDiskIsAClearErrorAndLeavesCompleteFiles) {
  const std::string dir = NewDir("full-disk");
  testing::ChildResult child = testing::RunWithFileSizeLimit(64 * 1024, [&] {
    auto writer = ResultsWriter::Create(dir, SampleContext());
    if (!writer.ok()) return writer.status();
    proto::TestGroupResult group = SampleResults().groups(2);
    absl::Status status;
    for (int i = 0; status.ok() && i < 10000; ++i) {
      group.set_directory_relative(absl::StrCat("RUN-TESTS_STANDARD@5f2c-RPI_PICO2,", i));
      status = (*writer)->AddGroup(group);
    }
    return status;
  });
  ASSERT_TRUE(child.exited);
  EXPECT_EQ(child.code, absl::StatusCode::kResourceExhausted) << child.message;
  const std::string& message = child.message;
  EXPECT_TRUE(absl::StrContains(message, dir + "/")) << message;
  EXPECT_TRUE(absl::StrContains(message, "File too large")) << message;
  EXPECT_TRUE(absl::StrContains(message, "was left unchanged")) << message;

  proto::CampaignResults partial = ReadResultsJson(dir);
  EXPECT_GT(partial.groups_size(), 0);
  EXPECT_TRUE(absl::EndsWith(*ReadFile(dir + "/report.html"), "</html>\n"));
  EXPECT_TRUE(absl::EndsWith(*ReadFile(dir + "/junit.xml"), "</testsuites>\n"));
  DIR* handle = opendir(dir.c_str());
  while (dirent* entry = readdir(handle)) {
    EXPECT_FALSE(absl::StrContains(entry->d_name, ".tmp-")) << entry->d_name;
  }
  closedir(handle);
}

}  // namespace
}  // namespace mptest::report
