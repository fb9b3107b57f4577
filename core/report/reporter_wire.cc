// Length-prefixed frames for the reporter socket.
#include "core/report/reporter_wire.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/bus/frame.h"

namespace mptest::report {

std::string EncodeFrame(const google::protobuf::MessageLite& message) {
  std::string frame;
  bus::AppendFrame(message.SerializeAsString(), &frame);
  return frame;
}

absl::Status SendAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError(absl::StrCat("reporter: send failed: ", std::strerror(errno)));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReceiveFrame(int fd, absl::Time deadline) {
  bus::FrameReader reader(kMaxReporterFrame);
  while (true) {
    absl::StatusOr<std::optional<std::string>> frame = reader.Next();
    if (!frame.ok()) return frame.status();
    if (frame->has_value()) return std::move(**frame);
    const int64_t wait_ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (wait_ms <= 0) return absl::DeadlineExceededError("reporter: no reply from the server");
    pollfd poll_fd = {fd, POLLIN, 0};
    int ready = poll(&poll_fd, 1, static_cast<int>(std::min<int64_t>(wait_ms, 1 << 30)));
    if (ready < 0 && errno != EINTR) {
      return absl::UnavailableError(absl::StrCat("reporter: poll failed: ", std::strerror(errno)));
    }
    if (ready <= 0) continue;
    char chunk[4096];
    ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return absl::UnavailableError(
          absl::StrCat("reporter: receive failed: ", std::strerror(errno)));
    }
    if (n == 0) {
      return absl::UnavailableError(
          "reporter: the server closed the connection (refused peer or server stopped)");
    }
    reader.Feed(chunk, static_cast<size_t>(n));
  }
}

}  // namespace mptest::report
