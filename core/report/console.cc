// Console formatting and the thin writer.
#include "core/report/console.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/report/results_model.h"

namespace mptest::report {
namespace {

constexpr absl::string_view kReset = "\x1b[0m";

absl::string_view ColorOf(LineKind kind) {
  switch (kind) {
    case LineKind::kInfo:
      return "\x1b[34m";  // blue
    case LineKind::kSuccess:
      return "\x1b[32m";  // green
    case LineKind::kFailed:
      return "\x1b[33m";  // orange/yellow
    case LineKind::kError:
      return "\x1b[31m";  // red
  }
  return "";
}

std::string Colored(absl::string_view text, LineKind kind, bool color) {
  if (!color) return std::string(text);
  return absl::StrCat(ColorOf(kind), text, kReset);
}

std::string Seconds(double seconds) { return absl::StrFormat("%.0fs", std::max(0.0, seconds)); }

}  // namespace

std::optional<double> EstimateRemaining(const ConsoleState& state) {
  if (state.total > 0 && state.done >= state.total) return 0.0;
  if (state.scheduler_remaining_s.has_value()) return std::max(0.0, *state.scheduler_remaining_s);
  if (state.done <= 0 || state.total <= state.done) return std::nullopt;
  return state.elapsed_s * (state.total - state.done) / state.done;
}

std::string FormatStatusLine(const ConsoleState& state, int width) {
  std::string line =
      absl::StrCat("[", state.done, "/", state.total, " ", FormatDuration(state.elapsed_s));
  std::optional<double> remaining = EstimateRemaining(state);
  if (remaining.has_value()) absl::StrAppend(&line, ", ~", FormatDuration(*remaining), " left");
  if (state.failed > 0) absl::StrAppend(&line, ", ", state.failed, " failed");
  if (state.errored > 0) absl::StrAppend(&line, ", ", state.errored, " errored");
  absl::StrAppend(&line, "]");
  std::vector<std::string> busy;
  int idle = 0;
  for (const LaneActivity& lane : state.lanes) {
    if (lane.activity.empty()) {
      ++idle;
      continue;
    }
    std::string text =
        absl::StrCat(lane.lane, ": ", lane.activity, " ", Seconds(state.elapsed_s - lane.since_s));
    if (lane.test_index > 0) {  // "of M" once the total is known (run-tests.py: at its end)
      absl::StrAppend(&text, " test ", lane.test_index);
      if (lane.test_total > 0) absl::StrAppend(&text, " of ", lane.test_total);
    }
    if (!lane.detail.empty()) absl::StrAppend(&text, " ", lane.detail);
    busy.push_back(std::move(text));
  }
  if (!busy.empty()) absl::StrAppend(&line, " ", absl::StrJoin(busy, " | "));
  if (idle > 0) absl::StrAppend(&line, busy.empty() ? " " : " | ", idle, " idle");
  // Only printable ASCII, so that columns are bytes.
  for (char& c : line) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) c = '?';
  }
  if (width > 0 && static_cast<int>(line.size()) > width) {
    line.resize(static_cast<size_t>(std::max(0, width - 3)));
    line += width >= 3 ? "..." : "";
    line.resize(static_cast<size_t>(width));
  }
  return line;
}

std::string FormatLine(double elapsed_s, LineKind kind, absl::string_view text, bool color) {
  return absl::StrCat(absl::StrFormat("[%7.1f s] ", elapsed_s), Colored(text, kind, color), "\n");
}

std::string FormatGroupLine(const ConsoleState& state, const proto::TestGroupResult& group,
                            bool color) {
  int failed = 0;
  for (const proto::Outcome& outcome : group.outcomes()) {
    if (IsFailure(outcome.outcome())) ++failed;
  }
  LineKind kind = LineKind::kSuccess;
  std::string verdict = "passed";
  std::string detail = absl::StrCat(group.outcomes_size(), " tests");
  if (failed > 0) absl::StrAppend(&detail, ", ", failed, " failed");
  switch (StateOf(group)) {
    case GroupState::kErrored:
      kind = LineKind::kError;
      verdict = "ERRORED";
      detail = group.msg_error();
      break;
    case GroupState::kSkipped:
      kind = LineKind::kInfo;
      verdict = "skipped";
      detail = group.msg_skipped();
      break;
    case GroupState::kInterrupted:
      kind = LineKind::kInfo;
      verdict = "interrupted";
      detail = group.msg_interrupted();
      break;
    case GroupState::kRunning:
      kind = LineKind::kInfo;
      verdict = "running";
      break;
    case GroupState::kRun:
      if (failed > 0) {
        kind = LineKind::kFailed;
        verdict = "FAILED";
      }
      break;
  }
  return FormatLine(state.elapsed_s, kind,
                    absl::StrCat(state.done, "/", state.total, " ", verdict, " ",
                                 group.directory_relative(), " (", detail, ")"),
                    color);
}

std::string FormatBoards(const proto::CampaignResults& results, bool color) {
  struct Tally {
    int passed = 0, failed = 0, skipped = 0;
    std::set<std::string> tentacles;
  };
  std::map<std::string, Tally> boards;
  for (const proto::TestGroupResult& group : results.groups()) {
    Tally& tally = boards[group.board()];
    if (!group.tentacle().empty()) tally.tentacles.insert(group.tentacle());
    for (const proto::Outcome& outcome : group.outcomes()) {
      if (outcome.outcome() == proto::Outcome::passed) {
        ++tally.passed;
      } else if (IsFailure(outcome.outcome())) {
        ++tally.failed;
      } else {
        ++tally.skipped;
      }
    }
  }
  if (boards.empty()) return "";
  std::string out = "\nBoards                 passed  failed skipped  tentacles\n";
  for (const auto& [board, tally] : boards) {
    absl::StrAppend(
        &out, absl::StrFormat("  %-20s", board),
        Colored(absl::StrFormat("%7d", tally.passed), LineKind::kSuccess,
                color && tally.passed > 0),
        Colored(absl::StrFormat("%8d", tally.failed), LineKind::kFailed, color && tally.failed > 0),
        absl::StrFormat("%8d  ", tally.skipped), absl::StrJoin(tally.tentacles, ", "), "\n");
  }
  return out;
}

std::string FormatSummary(const proto::CampaignResults& results, absl::string_view report_path,
                          bool color) {
  const proto::Summary s = ComputeSummary(results);
  auto count = [color](int value, LineKind kind) {
    std::string text = absl::StrFormat("%6d", value);
    return value > 0 ? Colored(text, kind, color) : text;
  };
  std::string out = "\nSummary\n";
  absl::StrAppend(&out, "  Groups run     ", count(s.groups_run(), LineKind::kSuccess),
                  "    Tests passed   ", count(s.tests_passed(), LineKind::kSuccess), "\n");
  absl::StrAppend(&out, "  Groups skipped ", count(s.groups_skipped(), LineKind::kInfo),
                  "    Tests skipped  ", count(s.tests_skipped(), LineKind::kInfo), "\n");
  absl::StrAppend(&out, "  Groups errored ", count(s.groups_errored(), LineKind::kError),
                  "    Tests xfailed  ", count(s.tests_xfailed(), LineKind::kInfo), "\n");
  absl::StrAppend(&out, "  Builds failed  ", count(s.builds_failed(), LineKind::kError),
                  "    Tests failed   ", count(s.tests_failed(), LineKind::kFailed), "\n");
  absl::StrAppend(&out, "  Groups interr. ", count(s.groups_interrupted(), LineKind::kInfo),
                  "    Tests errored  ", count(s.tests_errored(), LineKind::kError), "\n");
  absl::StrAppend(&out, "                       ", "    Tests total    ",
                  absl::StrFormat("%6d", s.tests_total()), "\n");
  absl::StrAppend(&out, FormatBoards(results, color));
  std::string failures;
  for (const proto::TestGroupResult& group : results.groups()) {
    for (const proto::Outcome& outcome : group.outcomes()) {
      if (!IsFailure(outcome.outcome())) continue;
      absl::StrAppend(
          &failures, "  ", Colored(VerdictName(outcome.outcome()), LineKind::kFailed, color), " ",
          group.directory_relative(), " ", outcome.name(), group.flaky() ? " (flaky)" : "", "\n");
    }
  }
  if (!failures.empty()) absl::StrAppend(&out, "\nFailed tests\n", failures);
  std::string errored;
  for (const proto::TestGroupResult& group : results.groups()) {
    if (StateOf(group) != GroupState::kErrored) continue;
    absl::StrAppend(&errored, "  ", group.directory_relative(), ": ",
                    Colored(group.msg_error(), LineKind::kError, color), "\n");
  }
  if (!errored.empty()) absl::StrAppend(&out, "\nErrored groups\n", errored);
  if (!report_path.empty()) absl::StrAppend(&out, "\nReport: ", report_path, "\n");
  return out;
}

ConsoleWriter::Mode ConsoleWriter::DetectMode(int fd) {
  const char* no_color = getenv("NO_COLOR");
  const char* term = getenv("TERM");
  if (!isatty(fd) || (no_color != nullptr && no_color[0] != '\0') ||
      (term != nullptr && absl::string_view(term) == "dumb")) {
    return Mode::kPlain;
  }
  return Mode::kLive;
}

int ConsoleWriter::Width() const {
  winsize size = {};
  if (ioctl(fd_, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col - 1;
  return 79;
}

void ConsoleWriter::WriteLocked(absl::string_view text) {
  while (!text.empty()) {
    ssize_t n = write(fd_, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the console is gone; nothing sensible to do about it
    text.remove_prefix(static_cast<size_t>(n));
  }
}

void ConsoleWriter::Update(const ConsoleState& state) {
  if (mode_ != Mode::kLive) return;
  absl::MutexLock lock(&mutex_);
  status_line_ = FormatStatusLine(state, Width());
  WriteLocked(absl::StrCat("\r\x1b[K", status_line_));
}

void ConsoleWriter::Line(double elapsed_s, LineKind kind, absl::string_view text) {
  absl::MutexLock lock(&mutex_);
  const bool live = mode_ == Mode::kLive;
  std::string out = FormatLine(elapsed_s, kind, text, live);
  if (live) out = absl::StrCat("\r\x1b[K", out, status_line_);
  WriteLocked(out);
}

void ConsoleWriter::GroupDone(const ConsoleState& state, const proto::TestGroupResult& group) {
  const bool live = mode_ == Mode::kLive;
  absl::MutexLock lock(&mutex_);
  std::string out = FormatGroupLine(state, group, live);
  if (live) {
    status_line_ = FormatStatusLine(state, Width());
    out = absl::StrCat("\r\x1b[K", out, status_line_);
  }
  WriteLocked(out);
}

void ConsoleWriter::Summary(const proto::CampaignResults& results, absl::string_view report_path) {
  const bool live = mode_ == Mode::kLive;
  absl::MutexLock lock(&mutex_);
  std::string out = FormatSummary(results, report_path, live);
  if (live) out = absl::StrCat("\r\x1b[K", out);
  status_line_.clear();
  WriteLocked(out);
}

}  // namespace mptest::report
