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
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/bus/frame.h"
#include "core/proto/results.pb.h"
#include "core/report/reporter_wire.h"

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
  // No thread: the caller serves the socket, calling ServeReady() whenever wait_fd() is
  // readable (mptest's campaign does, between waits for its jobs, so that no thread of it runs
  // while it forks). on_section then runs on the caller's thread.
  bool serve_on_caller_thread = false;
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
  // getenv in other threads. With `reporter_send` (the program's path), also sets
  // MPTEST_REPORTER_SEND, so that scripts can report without knowing where mptest is installed.
  void ExportToEnvironment(const std::string& reporter_send = "") const;

  // serve_on_caller_thread: readable when a peer connects or sends; ServeReady() then accepts,
  // reads and answers what is ready, without blocking.
  int wait_fd() const { return epoll_fd_; }
  void ServeReady() { ServeOnce(0); }

  std::vector<proto::ReportSection> sections() const;
  int refused_peers() const;
  int malformed_frames() const;

 private:
  struct Client {
    pid_t pid = 0;
    bus::FrameReader reader{kMaxReporterFrame};
  };
  ReporterServer(ReporterServerOptions options, std::string directory, std::string socket_path,
                 int listen_fd, int wake_fd, int epoll_fd);
  // Serves what becomes ready within `timeout_ms` (-1: until something does); false once the
  // destructor asks the serving thread to stop.
  bool ServeOnce(int timeout_ms);
  void Accept();
  // Reads and answers a client's requests; false when it is to be disconnected.
  bool Receive(int fd);
  // Handles one request frame; returns the reply.
  proto::ReporterReply Handle(const std::string& payload, pid_t peer_pid);

  const ReporterServerOptions options_;
  const std::string directory_;
  const std::string socket_path_;
  const int listen_fd_;
  const int wake_fd_;   // eventfd: written by the destructor to stop the serving thread
  const int epoll_fd_;  // the listening socket, the wake fd and every client
  std::thread thread_;
  std::map<int, Client> clients_;  // by descriptor; only the serving thread touches them

  mutable absl::Mutex mutex_;
  proto::ReporterResults results_ ABSL_GUARDED_BY(mutex_);
  int refused_peers_ ABSL_GUARDED_BY(mutex_) = 0;
  int malformed_frames_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace mptest::report

#endif  // MPTEST_CORE_REPORT_REPORTER_SERVER_H_
