// ReporterServer: the parent's unix-socket server that collects result sections (pyATS
// Reporter style: name, result, start, end, details) from any descendant process and writes
// them crash-safely as they arrive.
//
// Security: the socket lives in a fresh 0700 directory and has mode 0600; every peer's uid is
// checked with SO_PEERCRED at accept and a peer with another uid is logged and disconnected.
#ifndef MPTEST_CORE_REPORT_REPORTER_SERVER_H_
#define MPTEST_CORE_REPORT_REPORTER_SERVER_H_

#include <sys/types.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/proto/results.pb.h"

namespace mptest::report {

struct ReporterServerOptions {
  // Where the aggregated sections go (ReporterResults as JSON), rewritten atomically after each
  // section; "" = keep them in memory only.
  std::string output_path;
  // Parent of the socket's private directory; "" = $XDG_RUNTIME_DIR, else /tmp. (A unix socket
  // path must fit in 107 bytes, which rules out deep directories such as Bazel's.)
  std::string socket_parent;
  // The only uid allowed to connect.
  uid_t expected_uid = geteuid();
  // Called on the server thread for each accepted section, after it is written (for example
  // ResultsWriter::AddSection). An error is sent back to the client.
  std::function<absl::Status(const proto::ReportSection&)> on_section;
};

class ReporterServer {
 public:
  // Creates the directory and socket and starts the serving thread.
  static absl::StatusOr<std::unique_ptr<ReporterServer>> Start(ReporterServerOptions options);

  // Stops serving and removes the socket and its directory.
  ~ReporterServer();

  const std::string& socket_path() const { return socket_path_; }

  // Sets MPTEST_REPORTER_SOCKET in this process's environment so that children (forked or
  // exec'd harnesses) find the server. Call before starting children, not concurrently with
  // getenv in other threads.
  void ExportToEnvironment() const;

  std::vector<proto::ReportSection> sections() const;
  int refused_peers() const;
  int malformed_frames() const;

 private:
  ReporterServer(ReporterServerOptions options, std::string directory, std::string socket_path,
                 int listen_fd, int wake_fd);
  void Serve();
  // Handles one request frame; returns the reply.
  proto::ReporterReply Handle(const std::string& payload, pid_t peer_pid);

  const ReporterServerOptions options_;
  const std::string directory_;
  const std::string socket_path_;
  const int listen_fd_;
  const int wake_fd_;  // eventfd: written by the destructor to stop Serve()
  std::thread thread_;

  mutable absl::Mutex mutex_;
  proto::ReporterResults results_ ABSL_GUARDED_BY(mutex_);
  int refused_peers_ ABSL_GUARDED_BY(mutex_) = 0;
  int malformed_frames_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace mptest::report

#endif  // MPTEST_CORE_REPORT_REPORTER_SERVER_H_
