// Opens a generated report.html in headless Chromium (Debian's chromium) and checks that the
// summary table, the failures matrix and the timeline render: the DOM Chromium built holds the
// cells, and a screenshot of the page is a real image. Each Chromium run is bounded (45 s) and
// its whole process group is ended afterwards. A missing Chromium is a failure, not a skip.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/report/atomic_file.h"
#include "core/report/results_writer.h"
#include "core/report/test_results.h"
#include "gtest/gtest.h"

namespace mptest::report {
namespace {

constexpr absl::Duration kChromiumDeadline = absl::Seconds(45);

std::string ChromiumPath() {
  const char* configured = std::getenv("CHROMIUM");
  return configured != nullptr && configured[0] != '\0' ? configured : "/usr/bin/chromium";
}

struct RunResult {
  bool finished = false;
  int exit_code = -1;
  std::string stdout_text;
  std::string stderr_text;
};

// Runs chromium headless with `args` in its own process group, killing the group after the
// deadline and, in any case, once it exits (no helper process outlives the test).
RunResult RunChromium(const std::vector<std::string>& args, const std::string& work_dir) {
  const std::string tmp = std::getenv("TEST_TMPDIR");
  const std::string out_path = work_dir + "/chromium.out";
  const std::string err_path = work_dir + "/chromium.err";
  const std::string profile = work_dir + "/profile";
  std::vector<std::string> argv = {ChromiumPath(),
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--disable-quic",
                                   "--no-first-run",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   "--disable-dev-shm-usage",
                                   "--user-data-dir=" + profile};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_t child = fork();
  if (child == 0) {
    setpgid(0, 0);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(out, 1);
    dup2(err, 2);
    setenv("HOME", tmp.c_str(), 1);
    setenv("XDG_CONFIG_HOME", (tmp + "/config").c_str(), 1);
    setenv("XDG_CACHE_HOME", (tmp + "/cache").c_str(), 1);
    std::vector<char*> raw;
    for (std::string& arg : argv) raw.push_back(arg.data());
    raw.push_back(nullptr);
    execv(raw[0], raw.data());
    _exit(127);
  }
  RunResult result;
  if (child < 0) return result;
  setpgid(child, child);  // also from here, so the group exists before any kill below
  const absl::Time deadline = absl::Now() + kChromiumDeadline;
  int status = 0;
  while (true) {
    pid_t done = waitpid(child, &status, WNOHANG);
    if (done == child) {
      result.finished = true;
      result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (absl::Now() > deadline) {
      kill(-child, SIGKILL);
      waitpid(child, &status, 0);
      break;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  kill(-child, SIGKILL);  // helpers (zygote, crashpad) that outlived the browser
  result.stdout_text = ReadFile(out_path).value_or("");
  result.stderr_text = ReadFile(err_path).value_or("");
  return result;
}

class ReportChromiumTest : public ::testing::Test {
 protected:
  void SetUp() override {
    struct stat info;
    ASSERT_EQ(stat(ChromiumPath().c_str(), &info), 0)
        << ChromiumPath()
        << " is missing: this test needs Debian's chromium. Install it with "
           "`apt-get install -y chromium` (./bazelw installs it), or point CHROMIUM at one.";
    results_dir_ = absl::StrCat(std::getenv("TEST_TMPDIR"), "/results");
    ASSERT_TRUE(MakeDirectories(results_dir_).ok());
    proto::CampaignResults sample = testing::SampleResults();
    auto writer = ResultsWriter::Create(results_dir_, sample.context());
    ASSERT_TRUE(writer.ok()) << writer.status();
    for (const proto::TestGroupResult& group : sample.groups()) {
      ASSERT_TRUE((*writer)->AddGroup(group).ok());
    }
    ASSERT_TRUE((*writer)->Finish("").ok());
  }

  std::string results_dir_;
};

TEST_F(ReportChromiumTest, SummaryMatrixAndTimelineRender) {
  const std::string work = absl::StrCat(std::getenv("TEST_TMPDIR"), "/dom");
  ASSERT_TRUE(MakeDirectories(work).ok());
  RunResult run = RunChromium({"--dump-dom", "file://" + results_dir_ + "/report.html"}, work);
  ASSERT_TRUE(run.finished) << "chromium did not finish within " << kChromiumDeadline << "\n"
                            << run.stderr_text;
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  const std::string& dom = run.stdout_text;
  // Summary cells, as Chromium parsed them.
  EXPECT_TRUE(absl::StrContains(dom, "<table id=\"summary\">")) << dom;
  EXPECT_TRUE(absl::StrContains(dom, "<td class=\"num\" id=\"tests-total\">13</td>")) << dom;
  EXPECT_TRUE(absl::StrContains(dom, "<td class=\"num\" id=\"tests-failed\">2</td>"));
  EXPECT_TRUE(absl::StrContains(dom, "<td class=\"num\" id=\"groups-errored\">1</td>"));
  // The failures matrix: the failing test's row with one cell entry per attempt, linked.
  EXPECT_TRUE(absl::StrContains(dom, "<table class=\"matrix\" id=\"failures-1\">"));
  EXPECT_TRUE(absl::StrContains(dom, "<td>basics/int_big.py</td>"));
  EXPECT_TRUE(absl::StrContains(
      dom, "<a href=\"RUN-TESTS_STANDARD@5f2c-RPI_PICO2-RISCV,a\">a: failed</a>"));
  EXPECT_TRUE(absl::StrContains(
      dom, "<a href=\"RUN-TESTS_STANDARD@5f2c-RPI_PICO2-RISCV,b\">b: passed</a>"));
  // Errored groups and the SVG timeline.
  EXPECT_TRUE(absl::StrContains(dom, "board did not answer after flashing"));
  EXPECT_TRUE(absl::StrContains(dom, "<svg id=\"timeline\""));
  EXPECT_TRUE(absl::StrContains(dom, "<rect class=\"bar build\""));
}

TEST_F(ReportChromiumTest, ScreenshotIsARealImage) {
  const std::string work = absl::StrCat(std::getenv("TEST_TMPDIR"), "/shot");
  ASSERT_TRUE(MakeDirectories(work).ok());
  const std::string png = work + "/report.png";
  RunResult run = RunChromium({"--screenshot=" + png, "--window-size=1200,1600",
                               "--hide-scrollbars", "file://" + results_dir_ + "/report.html"},
                              work);
  ASSERT_TRUE(run.finished) << "chromium did not finish within " << kChromiumDeadline << "\n"
                            << run.stderr_text;
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  absl::StatusOr<std::string> image = ReadFile(png);
  ASSERT_TRUE(image.ok()) << image.status() << "\n" << run.stderr_text;
  EXPECT_TRUE(absl::StartsWith(*image, "\x89PNG\r\n\x1a\n"));
  // A blank 1200x1600 page compresses to a few KiB; tables, text and bars do not.
  EXPECT_GT(image->size(), 30000u) << "the screenshot looks empty";
  // The same page without content, for comparison.
  ASSERT_TRUE(WriteFileAtomically(work + "/blank.html", "<!DOCTYPE html><html></html>").ok());
  RunResult blank = RunChromium({"--screenshot=" + work + "/blank.png", "--window-size=1200,1600",
                                 "--hide-scrollbars", "file://" + work + "/blank.html"},
                                work);
  ASSERT_TRUE(blank.finished && blank.exit_code == 0) << blank.stderr_text;
  EXPECT_GT(image->size(), 4 * ReadFile(work + "/blank.png").value_or("").size());
}

}  // namespace
}  // namespace mptest::report
