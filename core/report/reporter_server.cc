// ReporterServer: an epoll loop over the listening socket and its clients, on a thread of its own
// or on the caller's (serve_on_caller_thread).
#include "core/report/reporter_server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cstring>
#include <map>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/bus/frame.h"
#include "core/report/atomic_file.h"
#include "core/report/json_io.h"
#include "core/report/reporter_wire.h"
#include "glog/logging.h"

namespace mptest::report {
namespace {

// The directory's name and the socket's below the parent: "/mptest-reporter-XXXXXX/reporter.sock".
constexpr size_t kSocketSuffix = 37;

std::string SocketParent(const std::string& configured) {
  if (!configured.empty()) return configured;
  // $XDG_RUNTIME_DIR when a socket fits below it (a deep one, such as a test's under Bazel's
  // sandbox, does not: a unix socket path has 107 bytes at most), else /tmp.
  const char* runtime = getenv("XDG_RUNTIME_DIR");
  if (runtime != nullptr && runtime[0] != '\0' &&
      std::strlen(runtime) + kSocketSuffix < sizeof(sockaddr_un::sun_path)) {
    return runtime;
  }
  return "/tmp";
}

absl::Status ErrnoStatus(absl::string_view what) {
  return absl::InternalError(absl::StrCat("reporter: ", what, ": ", std::strerror(errno)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<ReporterServer>> ReporterServer::Start(
    ReporterServerOptions options) {
  std::string pattern =
      absl::StrCat(SocketParent(options.socket_parent), "/mptest-reporter-XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) {
    return ErrnoStatus(absl::StrCat("cannot create a private directory like ", pattern));
  }
  const std::string directory = pattern;
  // mkdtemp creates it 0700; make sure of it whatever the umask.
  chmod(directory.c_str(), 0700);
  const std::string socket_path = directory + "/reporter.sock";
  sockaddr_un address = {};
  address.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof(address.sun_path)) {
    rmdir(directory.c_str());
    return absl::InvalidArgumentError(absl::StrCat(
        "reporter: socket path ", socket_path, " is longer than ", sizeof(address.sun_path) - 1,
        " bytes; choose a shorter ReporterServerOptions.socket_parent"));
  }
  std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);

  int listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listen_fd < 0) return ErrnoStatus("socket");
  // The socket file gets 0600 from the umask in force at bind; set it explicitly after too.
  mode_t old_umask = umask(0177);
  int bound = bind(listen_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  umask(old_umask);
  if (bound != 0 || chmod(socket_path.c_str(), 0600) != 0 || listen(listen_fd, 64) != 0) {
    absl::Status status = ErrnoStatus(absl::StrCat("cannot listen on ", socket_path));
    close(listen_fd);
    unlink(socket_path.c_str());
    rmdir(directory.c_str());
    return status;
  }
  int wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd < 0) {
    absl::Status status = ErrnoStatus("eventfd");
    close(listen_fd);
    unlink(socket_path.c_str());
    rmdir(directory.c_str());
    return status;
  }
  int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) {
    absl::Status status = ErrnoStatus("epoll_create1");
    close(wake_fd);
    close(listen_fd);
    unlink(socket_path.c_str());
    rmdir(directory.c_str());
    return status;
  }
  std::unique_ptr<ReporterServer> server(
      new ReporterServer(std::move(options), directory, socket_path, listen_fd, wake_fd, epoll_fd));
  for (int fd : {listen_fd, wake_fd}) {
    epoll_event event = {};
    event.events = EPOLLIN;
    event.data.fd = fd;
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0) return ErrnoStatus("epoll_ctl");
  }
  if (!server->options_.output_path.empty()) {
    absl::Status status =
        WriteFileAtomically(server->options_.output_path, MessageToJson(proto::ReporterResults()));
    if (!status.ok()) return status;
  }
  if (!server->options_.serve_on_caller_thread) {
    server->thread_ = std::thread([raw = server.get()] {
      while (raw->ServeOnce(-1)) {
      }
    });
  }
  return server;
}

ReporterServer::ReporterServer(ReporterServerOptions options, std::string directory,
                               std::string socket_path, int listen_fd, int wake_fd, int epoll_fd)
    : options_(std::move(options)),
      directory_(std::move(directory)),
      socket_path_(std::move(socket_path)),
      listen_fd_(listen_fd),
      wake_fd_(wake_fd),
      epoll_fd_(epoll_fd) {}

ReporterServer::~ReporterServer() {
  uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof(one));
  if (thread_.joinable()) thread_.join();
  for (const auto& [fd, client] : clients_) close(fd);
  close(epoll_fd_);
  close(listen_fd_);
  close(wake_fd_);
  unlink(socket_path_.c_str());
  rmdir(directory_.c_str());
}

void ReporterServer::ExportToEnvironment(const std::string& reporter_send) const {
  setenv(kReporterSocketEnv, socket_path_.c_str(), /*overwrite=*/1);
  if (!reporter_send.empty()) setenv(kReporterSendEnv, reporter_send.c_str(), /*overwrite=*/1);
}

std::vector<proto::ReportSection> ReporterServer::sections() const {
  absl::MutexLock lock(&mutex_);
  return {results_.sections().begin(), results_.sections().end()};
}

int ReporterServer::refused_peers() const {
  absl::MutexLock lock(&mutex_);
  return refused_peers_;
}

int ReporterServer::malformed_frames() const {
  absl::MutexLock lock(&mutex_);
  return malformed_frames_;
}

proto::ReporterReply ReporterServer::Handle(const std::string& payload, pid_t peer_pid) {
  proto::ReporterReply reply;
  proto::ReporterRequest request;
  if (!request.ParseFromString(payload)) {
    reply.set_error("reporter: the request is not a valid ReporterRequest");
    return reply;
  }
  proto::ReportSection section = request.section();
  section.set_pid(peer_pid);  // the kernel's word, not the client's
  absl::Status status;
  {
    absl::MutexLock lock(&mutex_);
    *results_.add_sections() = section;
    (*results_.mutable_result_counts())[section.result()] += 1;
    if (!options_.output_path.empty()) {
      status = WriteFileAtomically(options_.output_path, MessageToJson(results_));
    }
  }
  if (status.ok() && options_.on_section) status = options_.on_section(section);
  if (!status.ok()) {
    LOG(ERROR) << "reporter: section \"" << section.name() << "\" from pid " << peer_pid << ": "
               << status;
    reply.set_error(std::string(status.message()));
  }
  return reply;
}

bool ReporterServer::ServeOnce(int timeout_ms) {
  epoll_event events[16];
  const int ready = epoll_wait(epoll_fd_, events, 16, timeout_ms);
  if (ready < 0) {
    if (errno == EINTR) return true;
    PLOG(ERROR) << "reporter: epoll_wait failed; the server stops";
    return false;
  }
  for (int i = 0; i < ready; ++i) {
    const int fd = events[i].data.fd;
    if (fd == wake_fd_) return false;
    if (fd == listen_fd_) {
      Accept();
    } else if (!Receive(fd)) {
      epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
      close(fd);
      clients_.erase(fd);
    }
  }
  return true;
}

void ReporterServer::Accept() {
  int fd;
  while ((fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
    ucred peer = {};
    socklen_t length = sizeof(peer);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &length) != 0 ||
        peer.uid != options_.expected_uid) {
      const std::string reason =
          absl::StrCat("refused a connection from pid ", peer.pid, " uid ", peer.uid, " (only uid ",
                       options_.expected_uid, " may report)");
      LOG(WARNING) << "reporter: " << reason << "; disconnected";
      {
        absl::MutexLock lock(&mutex_);  // counted before the peer can hear of it
        ++refused_peers_;
      }
      // Tell the peer why before hanging up (best effort: it may not wait for it).
      proto::ReporterReply refusal;
      refusal.set_error(reason);
      refusal.set_refused(true);
      const std::string frame = EncodeFrame(refusal);
      (void)!send(fd, frame.data(), frame.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      close(fd);
      continue;
    }
    epoll_event event = {};
    event.events = EPOLLIN;
    event.data.fd = fd;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
      PLOG(WARNING) << "reporter: cannot serve pid " << peer.pid;
      close(fd);
      continue;
    }
    clients_[fd].pid = peer.pid;
  }
}

bool ReporterServer::Receive(int fd) {
  Client& client = clients_[fd];
  char chunk[16384];
  ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  client.reader.Feed(chunk, static_cast<size_t>(n));
  for (;;) {
    absl::StatusOr<std::optional<std::string>> frame = client.reader.Next();
    if (!frame.ok()) {
      LOG(WARNING) << "reporter: pid " << client.pid << ": " << frame.status() << "; disconnected";
      absl::MutexLock lock(&mutex_);
      ++malformed_frames_;
      return false;
    }
    if (!frame->has_value()) return true;
    if (!SendAll(fd, EncodeFrame(Handle(**frame, client.pid))).ok()) return false;
  }
}

}  // namespace mptest::report
