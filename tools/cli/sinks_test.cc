// The console sink on a terminal: each tentacle's lane of the live status line shows its run's
// "test N of M" as the harness reports tests, a retry counts from its start, and an ended run
// leaves its lane idle.
#include "tools/cli/sinks.h"

#include <sys/ioctl.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "core/pty/pty.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ConsoleOnATerminal : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<pty::PtyPair> pair = pty::OpenPtyPair();
    ASSERT_TRUE(pair.ok()) << pair.status();
    pty_ = *std::move(pair);
    winsize size = {};
    size.ws_col = 240;  // wide enough for both lanes
    size.ws_row = 24;
    ASSERT_EQ(ioctl(pty_.slave.get(), TIOCSWINSZ, &size), 0);
    ASSERT_EQ(report::ConsoleWriter::DetectMode(pty_.slave.get()),
              report::ConsoleWriter::Mode::kLive);
    writer_ = std::make_unique<report::ConsoleWriter>(pty_.slave.get(),
                                                      report::ConsoleWriter::Mode::kLive);
    sink_ = std::make_unique<ConsoleSink>(writer_.get(), nullptr);
  }

  // The status line as last drawn once `want` is in it (or whatever was drawn by the deadline).
  std::string StatusLineWith(const std::string& want) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (absl::Now() < deadline) {
      absl::StatusOr<std::string> more = pty::ReadSome(pty_.master.get(), deadline);
      if (!more.ok()) break;
      screen_ += *more;
      const size_t redraw = screen_.rfind("\r\x1b[K");
      const std::string line = redraw == std::string::npos ? screen_ : screen_.substr(redraw + 4);
      if (absl::StrContains(line, want)) return line;
    }
    const size_t redraw = screen_.rfind("\r\x1b[K");
    return redraw == std::string::npos ? screen_ : screen_.substr(redraw + 4);
  }

  // The part of a status line about `tentacle` ("<tentacle>: <activity> <seconds> test N of M").
  static std::string Lane(const std::string& line, const std::string& tentacle) {
    for (absl::string_view part : absl::StrSplit(line, " | ")) {
      const size_t at = part.find(tentacle + ": ");
      if (at != absl::string_view::npos) return std::string(part.substr(at));
    }
    return "";
  }

  static proto::TestEvent Test(const std::string& tentacle, const std::string& attempt, int index,
                               int total, bool ended) {
    proto::TestEvent event;
    event.set_testid("RUN-TESTS_BASICS@" + tentacle);
    event.set_attempt(attempt);
    event.set_tentacle(tentacle);
    event.mutable_progress()->set_index(index);
    event.mutable_progress()->set_total(total);
    event.mutable_progress()->set_ended(ended);
    event.mutable_progress()->mutable_outcome()->set_name("basics/int.py");
    return event;
  }

  pty::PtyPair pty_;
  std::unique_ptr<report::ConsoleWriter> writer_;
  std::unique_ptr<ConsoleSink> sink_;
  std::string screen_;
};

TEST_F(ConsoleOnATerminal, EachTentacleShowsTestNOfM) {
  proto::CampaignInfo info;
  info.set_total_runs(2);
  info.add_tentacles("1a01-VIRTUAL_PICO");
  info.add_tentacles("e5f2-VIRTUAL_ESP");
  sink_->CampaignStarted(info);
  for (const char* tentacle : {"1a01-VIRTUAL_PICO", "e5f2-VIRTUAL_ESP"}) {
    proto::RunStart start;
    start.set_testid(std::string("RUN-TESTS_BASICS@") + tentacle);
    start.add_tentacles(tentacle);
    sink_->RunStarted(start);
  }
  EXPECT_THAT(StatusLineWith("e5f2-VIRTUAL_ESP: RUN-TESTS_BASICS"), Not(HasSubstr(" of ")));

  sink_->TestReported(Test("1a01-VIRTUAL_PICO", "a", 1, 12, false));
  sink_->TestReported(Test("1a01-VIRTUAL_PICO", "a", 1, 12, true));
  sink_->TestReported(Test("1a01-VIRTUAL_PICO", "a", 2, 12, false));
  sink_->TestReported(Test("e5f2-VIRTUAL_ESP", "a", 7, 30, false));
  std::string line = StatusLineWith("test 7 of 30");
  EXPECT_THAT(Lane(line, "1a01-VIRTUAL_PICO"),
              ::testing::MatchesRegex("1a01-VIRTUAL_PICO: RUN-TESTS_BASICS@1a01-VIRTUAL_PICO "
                                      "-?[0-9]+s test 2 of 12"));
  EXPECT_THAT(Lane(line, "e5f2-VIRTUAL_ESP"),
              ::testing::MatchesRegex("e5f2-VIRTUAL_ESP: RUN-TESTS_BASICS@e5f2-VIRTUAL_ESP "
                                      "-?[0-9]+s test 7 of 30"));

  // A retry (attempt b) of the first tentacle's run counts from its own start.
  sink_->TestReported(Test("1a01-VIRTUAL_PICO", "b", 1, 12, false));
  EXPECT_THAT(Lane(StatusLineWith("test 1 of 12"), "1a01-VIRTUAL_PICO"), HasSubstr("test 1 of 12"));

  // Its run ends: the lane is idle, the other one still counts.
  proto::TestRunRecord record;
  record.set_testid("RUN-TESTS_BASICS@1a01-VIRTUAL_PICO");
  record.add_tentacles("1a01-VIRTUAL_PICO");
  sink_->RunFinished(record);
  line = StatusLineWith("1 idle");
  EXPECT_EQ(Lane(line, "1a01-VIRTUAL_PICO"), "");
  EXPECT_THAT(Lane(line, "e5f2-VIRTUAL_ESP"), HasSubstr("test 7 of 30"));
}

}  // namespace
}  // namespace mptest::cli
