// Tests for per-child log files and the Begin/End merge into the parent log.
#include "core/log/child_log.h"

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::log {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// Collects what the parent logs.
class CapturingSink : public google::LogSink {
 public:
  void send(google::LogSeverity, const char*, const char*, int, const google::LogMessageTime&,
            const char* message, size_t message_len) override {
    lines.emplace_back(message, message_len);
  }
  std::vector<std::string> lines;
};

TEST(ChildLogTest, PathFollowsTheTaskLogConvention) {
  EXPECT_EQ(ChildLogPath("/logs", "TaskLog.Task-1", 88466), "/logs/TaskLog.Task-1:pid-88466");
  EXPECT_FALSE(DefaultLogDir().empty());
}

TEST(ChildLogTest, ChildWritesItsOwnFileAndParentMergesIt) {
  const std::string dir = getenv("TEST_TMPDIR");
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    absl::Status s = RedirectToChildLog(ChildLogPath(dir, "Task-1", getpid()));
    if (!s.ok()) _exit(2);
    LOG(INFO) << "this is a message from " << getpid();
    LOG(WARNING) << "second line";
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_EQ(status, 0);
  const std::string path = ChildLogPath(dir, "Task-1", pid);
  std::string contents = ReadFile(path);
  EXPECT_THAT(contents, HasSubstr(absl::StrCat("this is a message from ", pid)));
  EXPECT_THAT(contents, ContainsRegex("W[0-9]+ .*second line"));

  CapturingSink sink;
  google::AddLogSink(&sink);
  MergeChildLog(path);
  google::RemoveLogSink(&sink);
  ASSERT_EQ(sink.lines.size(), 4u);
  EXPECT_EQ(sink.lines[0], ">>>> Begin child log " + path);
  EXPECT_THAT(sink.lines[1], HasSubstr(absl::StrCat("this is a message from ", pid)));
  EXPECT_THAT(sink.lines[2], HasSubstr("second line"));
  EXPECT_EQ(sink.lines[3], "<<<< End child log " + path);
}

TEST(ChildLogTest, MissingFileIsReportedBetweenTheMarkers) {
  CapturingSink sink;
  google::AddLogSink(&sink);
  MergeChildLog("/nonexistent/log");
  google::RemoveLogSink(&sink);
  ASSERT_EQ(sink.lines.size(), 3u);
  EXPECT_THAT(sink.lines[1], HasSubstr("missing"));
}

}  // namespace
}  // namespace mptest::log
