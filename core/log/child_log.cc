// Per-child glog files and their merge into the parent log; see child_log.h.
#include "core/log/child_log.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/bus/event_sender.h"
#include "core/process/private_dir.h"
#include "core/proto/events.pb.h"
#include "glog/logging.h"

namespace mptest::log {
namespace {

// Writes each message to one descriptor with a single write(2); with an `owner`, only the
// messages of that process (forked children inherit the sink, but log to their own files).
class FileSink : public google::LogSink {
 public:
  explicit FileSink(int fd, pid_t owner = 0) : fd_(fd), owner_(owner) {}
  void send(google::LogSeverity severity, const char* /*full_filename*/, const char* base_filename,
            int line, const google::LogMessageTime& time, const char* message,
            size_t message_len) override {
    if (owner_ != 0 && getpid() != owner_) return;
    std::string text = ToString(severity, base_filename, line, time, message, message_len);
    text.push_back('\n');
    const char* p = text.data();
    size_t left = text.size();
    while (left > 0) {
      ssize_t n = write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      p += n;
      left -= static_cast<size_t>(n);
    }
  }

 private:
  int fd_;
  pid_t owner_;
};

// Sends each WARNING+ message of its owner process as a LogLine event; never re-entered (a
// failed send that logs would come back here).
class EventSink : public google::LogSink {
 public:
  void send(google::LogSeverity severity, const char* /*full_filename*/, const char* base_filename,
            int line, const google::LogMessageTime& /*time*/, const char* message,
            size_t message_len) override {
    static thread_local bool sending = false;
    if (severity < google::GLOG_WARNING || getpid() != owner_ || sending) return;
    sending = true;
    proto::Event event;
    event.mutable_log_line()->set_severity(severity);
    event.mutable_log_line()->set_text(
        absl::StrCat(base_filename, ":", line, "] ", absl::string_view(message, message_len)));
    bus::SendEvent(std::move(event)).IgnoreError();
    sending = false;
  }
  void set_owner(pid_t owner) { owner_ = owner; }

 private:
  pid_t owner_ = 0;
};

// Opens a log file for appending: created with the umask, never through a symlink.
absl::StatusOr<int> OpenLogFile(const std::string& path, mode_t mode) {
  int fd =
      open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, mode);
  if (fd < 0) {
    return absl::Status(absl::ErrnoToStatusCode(errno),
                        absl::StrCat("cannot create log '", path, "': ", strerror(errno)));
  }
  return fd;
}

}  // namespace

std::string ChildLogPath(absl::string_view dir, absl::string_view task, pid_t pid) {
  return absl::StrCat(dir, "/", task, ":pid-", pid);
}

std::string DefaultLogDir() {
  if (!FLAGS_log_dir.empty()) return FLAGS_log_dir;
  for (const char* var : {"TEST_TMPDIR", "TMPDIR"}) {
    const char* value = getenv(var);
    if (value != nullptr && *value != '\0') return value;
  }
  absl::StatusOr<std::string> private_dir = process::DefaultPrivateDirectory();
  return private_dir.ok() ? *private_dir : "/tmp";
}

absl::Status RedirectToChildLog(const std::string& path) {
  // Never through a symlink: the log directory may be a shared one such as /tmp.
  absl::StatusOr<int> fd = OpenLogFile(path, 0600);
  if (!fd.ok()) return fd.status();
  for (int severity = 0; severity < google::NUM_SEVERITIES; ++severity) {
    google::SetLogDestination(severity, "");  // stop writing into the parent's files
  }
  google::AddLogSink(new FileSink(*fd));  // lives as long as the process
  return absl::OkStatus();
}

absl::Status LogToFile(const std::string& path) {
  absl::StatusOr<int> fd = OpenLogFile(path, 0666);
  if (!fd.ok()) return fd.status();
  for (int severity = 0; severity < google::NUM_SEVERITIES; ++severity) {
    google::SetLogDestination(severity, "");  // no glog files of its own elsewhere
  }
  FLAGS_minloglevel = 0;                            // INFO too: the merged child logs are INFO
  google::AddLogSink(new FileSink(*fd, getpid()));  // lives as long as the process
  return absl::OkStatus();
}

void SendWarningsAsEvents() {
  // One sink per process tree: a child of a child inherits its parent's, which now serves it.
  static EventSink* sink = nullptr;
  if (sink == nullptr) {
    sink = new EventSink();  // lives as long as the process
    google::AddLogSink(sink);
  }
  sink->set_owner(getpid());
}

void MergeChildLog(const std::string& path) {
  LOG(INFO) << ">>>> Begin child log " << path;
  std::ifstream in(path);
  if (!in) {
    LOG(INFO) << "(child log " << path << " is missing: the child may have died before logging)";
  }
  std::string line;
  bool empty = true;
  while (std::getline(in, line)) {
    LOG(INFO) << line;
    empty = false;
  }
  LOG(INFO) << "<<<< End child log " << path;
  if (in.is_open() && empty) unlink(path.c_str());  // nothing to keep
}

}  // namespace mptest::log
