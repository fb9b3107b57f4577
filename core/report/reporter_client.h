// ReporterClient: sends result sections to the ReporterServer of an ancestor process. Usable in
// any descendant, including an exec'd harness (it finds the socket through the environment
// variable MPTEST_REPORTER_SOCKET), and across fork: a client used in a process other than the
// one that connected it drops the inherited connection and connects anew, so parent and child
// never interleave frames on one socket.
#ifndef MPTEST_CORE_REPORT_REPORTER_CLIENT_H_
#define MPTEST_CORE_REPORT_REPORTER_CLIENT_H_

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/proto/results.pb.h"

namespace mptest::report {

class ReporterClient {
 public:
  // Connects lazily, on the first Report(). `timeout` bounds connecting and waiting for the
  // server's acknowledgement of each section.
  explicit ReporterClient(std::string socket_path, absl::Duration timeout = absl::Seconds(10));
  ~ReporterClient();
  ReporterClient(const ReporterClient&) = delete;
  ReporterClient& operator=(const ReporterClient&) = delete;

  // Sends one section and waits until the server has stored it. Reconnects after a fork and
  // once after a broken connection. Errors: Unavailable (no server, connection lost),
  // PermissionDenied (the server refused this process's uid; when it could say so before
  // hanging up, else Unavailable), or the server's own error storing the section.
  absl::Status Report(const proto::ReportSection& section) ABSL_LOCKS_EXCLUDED(mutex_);

  const std::string& socket_path() const { return socket_path_; }

 private:
  absl::Status ConnectLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  absl::Status SendLocked(const std::string& frame) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void DisconnectLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const std::string socket_path_;
  const absl::Duration timeout_;
  absl::Mutex mutex_;
  int fd_ ABSL_GUARDED_BY(mutex_) = -1;
  pid_t connected_pid_ ABSL_GUARDED_BY(mutex_) = 0;
};

// This process's client, made from MPTEST_REPORTER_SOCKET on first use; NotFound if the
// variable is unset. Safe to use after fork even if another thread was reporting at that moment:
// a fork handler gives the child a fresh client.
absl::StatusOr<ReporterClient*> ProcessReporter();

// Convenience: ProcessReporter()->Report(section).
absl::Status ReportSection(const proto::ReportSection& section);

}  // namespace mptest::report

#endif  // MPTEST_CORE_REPORT_REPORTER_CLIENT_H_
