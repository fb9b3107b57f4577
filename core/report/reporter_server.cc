// ReporterServer: a poll loop on its own thread over the listening socket and its clients.
#include "core/report/reporter_server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cstring>
#include <map>

#include "absl/strings/str_cat.h"
#include "core/report/atomic_file.h"
#include "core/report/json_io.h"
#include "core/report/reporter_wire.h"
#include "glog/logging.h"

namespace mptest::report {
namespace {

struct Client {
  pid_t pid = 0;
  std::string buffer;
};

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
  std::unique_ptr<ReporterServer> server(
      new ReporterServer(std::move(options), directory, socket_path, listen_fd, wake_fd));
  if (!server->options_.output_path.empty()) {
    absl::Status status =
        WriteFileAtomically(server->options_.output_path, MessageToJson(proto::ReporterResults()));
    if (!status.ok()) return status;
  }
  server->thread_ = std::thread([raw = server.get()] { raw->Serve(); });
  return server;
}

ReporterServer::ReporterServer(ReporterServerOptions options, std::string directory,
                               std::string socket_path, int listen_fd, int wake_fd)
    : options_(std::move(options)),
      directory_(std::move(directory)),
      socket_path_(std::move(socket_path)),
      listen_fd_(listen_fd),
      wake_fd_(wake_fd) {}

ReporterServer::~ReporterServer() {
  uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof(one));
  if (thread_.joinable()) thread_.join();
  close(listen_fd_);
  close(wake_fd_);
  unlink(socket_path_.c_str());
  rmdir(directory_.c_str());
}

void ReporterServer::ExportToEnvironment() const {
  setenv(kReporterSocketEnv, socket_path_.c_str(), /*overwrite=*/1);
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

void ReporterServer::Serve() {
  std::map<int, Client> clients;
  auto drop = [&clients](int fd) {
    close(fd);
    clients.erase(fd);
  };
  while (true) {
    std::vector<pollfd> fds = {{wake_fd_, POLLIN, 0}, {listen_fd_, POLLIN, 0}};
    for (const auto& [fd, client] : clients) fds.push_back({fd, POLLIN, 0});
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      PLOG(ERROR) << "reporter: poll failed; the server stops";
      break;
    }
    if (fds[0].revents != 0) break;
    if (fds[1].revents & POLLIN) {
      int fd;
      while ((fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
        ucred peer = {};
        socklen_t length = sizeof(peer);
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &length) != 0 ||
            peer.uid != options_.expected_uid) {
          const std::string reason =
              absl::StrCat("refused a connection from pid ", peer.pid, " uid ", peer.uid,
                           " (only uid ", options_.expected_uid, " may report)");
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
        clients[fd].pid = peer.pid;
      }
    }
    for (size_t i = 2; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      const int fd = fds[i].fd;
      Client& client = clients[fd];
      char chunk[16384];
      ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) {
        drop(fd);
        continue;
      }
      client.buffer.append(chunk, static_cast<size_t>(n));
      std::string payload;
      bool keep = true;
      while (keep) {
        absl::StatusOr<bool> frame = TakeFrame(&client.buffer, &payload);
        if (!frame.ok()) {
          LOG(WARNING) << "reporter: pid " << client.pid << ": " << frame.status()
                       << "; disconnected";
          absl::MutexLock lock(&mutex_);
          ++malformed_frames_;
          keep = false;
          break;
        }
        if (!*frame) break;
        keep = SendAll(fd, EncodeFrame(Handle(payload, client.pid))).ok();
      }
      if (!keep) drop(fd);
    }
  }
  for (auto& [fd, client] : clients) close(fd);
}

}  // namespace mptest::report
