// ReporterClient: connect on demand, reconnect after fork, one acknowledged frame per section.
#include "core/report/reporter_client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/report/reporter_wire.h"

namespace mptest::report {

ReporterClient::ReporterClient(std::string socket_path, absl::Duration timeout)
    : socket_path_(std::move(socket_path)), timeout_(timeout) {}

ReporterClient::~ReporterClient() {
  absl::MutexLock lock(&mutex_);
  DisconnectLocked();
}

void ReporterClient::DisconnectLocked() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  connected_pid_ = 0;
}

absl::Status ReporterClient::ConnectLocked() {
  sockaddr_un address = {};
  address.sun_family = AF_UNIX;
  if (socket_path_.empty() || socket_path_.size() >= sizeof(address.sun_path)) {
    return absl::InvalidArgumentError(
        absl::StrCat("reporter: invalid socket path \"", socket_path_, "\""));
  }
  std::memcpy(address.sun_path, socket_path_.c_str(), socket_path_.size() + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("reporter: socket: ", std::strerror(errno)));
  }
  // A unix stream connect does not block for long; the server accepts from its own thread.
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    int error = errno;
    close(fd);
    return absl::UnavailableError(
        absl::StrCat("reporter: cannot connect to ", socket_path_, ": ", std::strerror(error)));
  }
  fd_ = fd;
  connected_pid_ = getpid();
  return absl::OkStatus();
}

absl::Status ReporterClient::SendLocked(const std::string& frame) {
  if (fd_ < 0) {
    absl::Status status = ConnectLocked();
    if (!status.ok()) return status;
  }
  absl::Status sent = SendAll(fd_, frame);
  // Even if sending failed, the server may have said why it hung up (a refused peer).
  absl::StatusOr<std::string> payload =
      ReceiveFrame(fd_, absl::Now() + (sent.ok() ? timeout_ : absl::Milliseconds(200)));
  if (!payload.ok()) return sent.ok() ? payload.status() : sent;
  proto::ReporterReply reply;
  if (!reply.ParseFromString(*payload)) {
    return absl::DataLossError("reporter: the server's reply is not a ReporterReply");
  }
  if (reply.refused()) {
    return absl::PermissionDeniedError(
        absl::StrCat("reporter server ", socket_path_, ": ", reply.error()));
  }
  if (!sent.ok()) return sent;
  if (!reply.error().empty()) {
    return absl::InternalError(absl::StrCat("reporter server: ", reply.error()));
  }
  return absl::OkStatus();
}

absl::Status ReporterClient::Report(const proto::ReportSection& section) {
  proto::ReporterRequest request;
  *request.mutable_section() = section;
  const std::string frame = EncodeFrame(request);
  absl::MutexLock lock(&mutex_);
  if (fd_ >= 0 && connected_pid_ != getpid()) {
    // Forked: the descriptor is shared with the process that connected it; leave it to that
    // process (closing our copy does not affect it) and connect on our own.
    DisconnectLocked();
  }
  absl::Status status = SendLocked(frame);
  if (absl::IsUnavailable(status) && fd_ >= 0) {
    // The connection broke (server restarted, stale after a long idle): once more, anew.
    DisconnectLocked();
    status = SendLocked(frame);
  }
  if (!status.ok()) DisconnectLocked();
  return status;
}

namespace {

ReporterClient* process_reporter = nullptr;
absl::Mutex process_reporter_mutex(absl::kConstInit);

void LockBeforeFork() { process_reporter_mutex.Lock(); }
void UnlockInParent() { process_reporter_mutex.Unlock(); }
// Another thread may have been inside Report() when the process forked, leaving the client's
// own lock held forever in the child: the child gets a fresh client (the old one is leaked on
// purpose; destroying a held mutex is undefined).
void RenewInChild() {
  if (process_reporter != nullptr) {
    process_reporter = new ReporterClient(process_reporter->socket_path());
  }
  process_reporter_mutex.Unlock();
}

}  // namespace

absl::StatusOr<ReporterClient*> ProcessReporter() {
  static const bool registered = [] {
    pthread_atfork(LockBeforeFork, UnlockInParent, RenewInChild);
    return true;
  }();
  (void)registered;
  absl::MutexLock lock(&process_reporter_mutex);
  if (process_reporter == nullptr) {
    const char* path = getenv(kReporterSocketEnv);
    if (path == nullptr || path[0] == '\0') {
      return absl::NotFoundError(
          absl::StrCat("reporter: ", kReporterSocketEnv,
                       " is not set; this process was not started under an mptest reporter"));
    }
    process_reporter = new ReporterClient(path);
  }
  return process_reporter;
}

absl::Status ReportSection(const proto::ReportSection& section) {
  absl::StatusOr<ReporterClient*> client = ProcessReporter();
  if (!client.ok()) return client.status();
  return (*client)->Report(section);
}

}  // namespace mptest::report
