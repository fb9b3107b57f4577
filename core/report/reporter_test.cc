// Tests of the reporter: permissions, sections from this process, a forked child and an exec'd
// harness, the peer uid check (a forged expectation, and a real other user when root), and
// malformed frames.
#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/report/atomic_file.h"
#include "core/report/json_io.h"
#include "core/report/reporter_client.h"
#include "core/report/reporter_server.h"
#include "core/report/reporter_wire.h"
#include "core/report/results_writer.h"
#include "gtest/gtest.h"

namespace mptest::report {
namespace {

constexpr uid_t kNobody = 65534;

proto::ReportSection Section(const std::string& name, const std::string& result) {
  proto::ReportSection section;
  section.set_name(name);
  section.set_result(result);
  section.set_start_s(1795399200);
  section.set_end_s(1795399201.5);
  (*section.mutable_details())["board"] = "RPI_PICO2";
  return section;
}

std::unique_ptr<ReporterServer> StartServer(ReporterServerOptions options = {}) {
  if (options.output_path.empty()) {
    options.output_path = absl::StrCat(std::getenv("TEST_TMPDIR"), "/sections.json");
  }
  auto server = ReporterServer::Start(std::move(options));
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? std::move(*server) : nullptr;
}

// Runs `body` in a forked child and returns its exit code (or 128 + signal).
template <typename Body>
int InChild(Body body) {
  pid_t child = fork();
  if (child == 0) _exit(body());
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(ReporterTest, SocketIsPrivate) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  struct stat socket_info, dir_info;
  ASSERT_EQ(stat(server->socket_path().c_str(), &socket_info), 0);
  const std::string dir = server->socket_path().substr(0, server->socket_path().rfind('/'));
  ASSERT_EQ(stat(dir.c_str(), &dir_info), 0);
  EXPECT_TRUE(S_ISSOCK(socket_info.st_mode));
  EXPECT_EQ(socket_info.st_mode & 07777, 0600u);
  EXPECT_EQ(dir_info.st_mode & 07777, 0700u);
  server.reset();
  EXPECT_NE(access(dir.c_str(), F_OK), 0) << "the directory is removed on stop";
}

TEST(ReporterTest, SectionsAreStoredAndWrittenAsTheyArrive) {
  std::vector<std::string> seen_by_callback;
  ReporterServerOptions options;
  options.on_section = [&seen_by_callback](const proto::ReportSection& section) {
    seen_by_callback.push_back(section.name());
    return absl::OkStatus();
  };
  auto server = StartServer(std::move(options));
  ASSERT_NE(server, nullptr);
  ReporterClient client(server->socket_path());
  ASSERT_TRUE(client.Report(Section("setup", "passed")).ok());
  // Acknowledged means on disk.
  proto::ReporterResults on_disk;
  const std::string path = absl::StrCat(std::getenv("TEST_TMPDIR"), "/sections.json");
  ASSERT_TRUE(JsonToMessage(*ReadFile(path), path, &on_disk).ok());
  ASSERT_EQ(on_disk.sections_size(), 1);
  EXPECT_EQ(on_disk.sections(0).name(), "setup");
  EXPECT_EQ(on_disk.sections(0).pid(), getpid());
  EXPECT_EQ(on_disk.sections(0).details().at("board"), "RPI_PICO2");

  ASSERT_TRUE(client.Report(Section("test", "failed")).ok());
  ASSERT_TRUE(JsonToMessage(*ReadFile(path), path, &on_disk).ok());
  EXPECT_EQ(on_disk.sections_size(), 2);
  EXPECT_EQ(on_disk.result_counts().at("failed"), 1);
  EXPECT_EQ(seen_by_callback, (std::vector<std::string>{"setup", "test"}));
}

TEST(ReporterTest, SectionsReachTheCampaignResults) {
  const std::string dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/campaign");
  ASSERT_TRUE(MakeDirectories(dir).ok());
  auto writer = ResultsWriter::Create(dir, proto::CampaignContext());
  ASSERT_TRUE(writer.ok()) << writer.status();
  ReporterServerOptions options;
  options.on_section = [results = writer->get()](const proto::ReportSection& section) {
    return results->AddSection(section);
  };
  auto server = StartServer(std::move(options));
  ASSERT_NE(server, nullptr);
  ReporterClient client(server->socket_path());
  ASSERT_TRUE(client.Report(Section("mip install unittest", "passed")).ok());
  proto::CampaignResults results;
  ASSERT_TRUE(JsonToMessage(*ReadFile(dir + "/results.json"), "results.json", &results).ok());
  ASSERT_EQ(results.sections_size(), 1);
  EXPECT_EQ(results.sections(0).name(), "mip install unittest");
  EXPECT_EQ(results.sections(0).pid(), getpid());
}

TEST(ReporterTest, CallbackErrorReachesTheClient) {
  ReporterServerOptions options;
  options.on_section = [](const proto::ReportSection&) {
    return absl::ResourceExhaustedError("results.json: disk full");
  };
  auto server = StartServer(std::move(options));
  ASSERT_NE(server, nullptr);
  ReporterClient client(server->socket_path());
  absl::Status status = client.Report(Section("setup", "passed"));
  EXPECT_TRUE(absl::StrContains(status.message(), "disk full")) << status;
}

TEST(ReporterTest, ForkedChildReconnectsByItself) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  ReporterClient client(server->socket_path());
  ASSERT_TRUE(client.Report(Section("parent-before", "passed")).ok());
  pid_t child_pid = 0;
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  int exit_code = InChild([&] {
    close(pipe_fds[0]);
    pid_t self = getpid();
    (void)!write(pipe_fds[1], &self, sizeof(self));
    // The same client object, inherited connected: it must not reuse the parent's socket.
    return client.Report(Section("child", "passed")).ok() &&
                   client.Report(Section("child-again", "passed")).ok()
               ? 0
               : 1;
  });
  close(pipe_fds[1]);
  ASSERT_EQ(read(pipe_fds[0], &child_pid, sizeof(child_pid)), sizeof(child_pid));
  close(pipe_fds[0]);
  EXPECT_EQ(exit_code, 0);
  ASSERT_TRUE(client.Report(Section("parent-after", "passed")).ok());
  std::vector<proto::ReportSection> sections = server->sections();
  ASSERT_EQ(sections.size(), 4u);
  EXPECT_EQ(sections[0].pid(), getpid());
  EXPECT_EQ(sections[1].name(), "child");
  EXPECT_EQ(sections[1].pid(), child_pid);
  EXPECT_EQ(sections[2].pid(), child_pid);
  EXPECT_EQ(sections[3].name(), "parent-after");
  EXPECT_EQ(sections[3].pid(), getpid());
}

TEST(ReporterTest, HarnessSubprocessFindsTheServerThroughTheEnvironment) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  server->ExportToEnvironment();
  EXPECT_EQ(std::string(getenv(kReporterSocketEnv)), server->socket_path());
  const std::string tool =
      absl::StrCat(std::getenv("TEST_SRCDIR"), "/mptest/core/report/reporter_send");
  int exit_code = InChild([&] {
    execl(tool.c_str(), tool.c_str(), "--name=run-tests", "--result=passed",
          "--detail=tests=12,board=PYBV11", "--source=harness", static_cast<char*>(nullptr));
    return 127;
  });
  ASSERT_EQ(exit_code, 0);
  std::vector<proto::ReportSection> sections = server->sections();
  ASSERT_EQ(sections.size(), 1u);
  EXPECT_EQ(sections[0].name(), "run-tests");
  EXPECT_EQ(sections[0].source(), "harness");
  EXPECT_EQ(sections[0].details().at("tests"), "12");
  EXPECT_NE(sections[0].pid(), getpid());
  // The process-wide client of a forked child finds it too.
  EXPECT_EQ(InChild([] { return ReportSection(Section("via-env", "passed")).ok() ? 0 : 1; }), 0);
  EXPECT_EQ(server->sections().size(), 2u);
  unsetenv(kReporterSocketEnv);
}

// A server that expects another uid than ours sees us as a foreign peer: refused, counted,
// and the client gets an error rather than a silent loss.
TEST(ReporterTest, PeerWithAnotherUidIsRefused) {
  ReporterServerOptions options;
  options.expected_uid = geteuid() + 1;
  auto server = StartServer(std::move(options));
  ASSERT_NE(server, nullptr);
  ReporterClient client(server->socket_path(), absl::Seconds(5));
  absl::Status status = client.Report(Section("forged", "passed"));
  EXPECT_FALSE(status.ok());
  // The refusal notice may lose the race with the hang-up; when it arrives, it says why.
  if (absl::IsPermissionDenied(status)) {
    EXPECT_TRUE(absl::StrContains(status.message(), "refused a connection from pid")) << status;
  } else {
    EXPECT_TRUE(absl::IsUnavailable(status)) << status;
  }
  EXPECT_GE(server->refused_peers(), 1);
  EXPECT_TRUE(server->sections().empty());
}

// A real other user (root only: the child drops to uid 65534). With the socket as created it
// cannot even reach it; with its permissions opened on purpose, SO_PEERCRED still refuses it.
TEST(ReporterTest, AnotherUserIsRefused) {
  if (geteuid() != 0) {
    GTEST_SKIP() << "needs root to switch to another uid; PeerWithAnotherUidIsRefused covers "
                    "the uid check with a forged expectation";
  }
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  auto as_nobody = [&] {
    return InChild([&] {
      if (setgid(kNobody) != 0 || setuid(kNobody) != 0) return 10;
      ReporterClient client(server->socket_path(), absl::Seconds(5));
      absl::Status status = client.Report(Section("intruder", "passed"));
      if (status.ok()) return 0;
      // connect(2) failing with EACCES: the filesystem kept it out.
      if (absl::StrContains(status.message(), "cannot connect")) return 1;
      return 2;  // connected, then refused by the server
    });
  };
  EXPECT_EQ(as_nobody(), 1) << "the 0700 directory keeps other users out";
  const std::string dir = server->socket_path().substr(0, server->socket_path().rfind('/'));
  ASSERT_EQ(chmod(dir.c_str(), 0711), 0);
  ASSERT_EQ(chmod(server->socket_path().c_str(), 0666), 0);
  EXPECT_EQ(as_nobody(), 2) << "the peer uid check refuses what permissions let through";
  EXPECT_GE(server->refused_peers(), 1);
  EXPECT_TRUE(server->sections().empty());
}

TEST(ReporterTest, MalformedFramesDisconnectOnlyThatClient) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address = {};
  address.sun_family = AF_UNIX;
  std::strcpy(address.sun_path, server->socket_path().c_str());
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_TRUE(SendAll(fd, std::string("\xff\xff\xff\x7f", 4)).ok());  // 2 GiB announced
  char byte;
  EXPECT_EQ(recv(fd, &byte, 1, 0), 0) << "the server hangs up";
  close(fd);
  EXPECT_EQ(server->malformed_frames(), 1);

  // Garbage that fits in a frame but is not a ReporterRequest gets an error reply.
  fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_TRUE(SendAll(fd, std::string("\x03\x00\x00\x00\xff\xff\xff", 7)).ok());
  absl::StatusOr<std::string> reply = ReceiveFrame(fd, absl::Now() + absl::Seconds(5));
  ASSERT_TRUE(reply.ok()) << reply.status();
  proto::ReporterReply parsed;
  ASSERT_TRUE(parsed.ParseFromString(*reply));
  EXPECT_TRUE(absl::StrContains(parsed.error(), "not a valid ReporterRequest"));
  close(fd);

  ReporterClient client(server->socket_path());
  EXPECT_TRUE(client.Report(Section("still-works", "passed")).ok());
}

TEST(ReporterTest, NoServerIsUnavailable) {
  ReporterClient client("/tmp/mptest-reporter-does-not-exist/reporter.sock", absl::Seconds(1));
  EXPECT_TRUE(absl::IsUnavailable(client.Report(Section("x", "passed"))));
  unsetenv(kReporterSocketEnv);
  // Without the variable, the process-wide client says why.
  EXPECT_EQ(InChild([] { return absl::IsNotFound(ReportSection(Section("x", "passed"))) ? 0 : 1; }),
            0);
}

}  // namespace
}  // namespace mptest::report
