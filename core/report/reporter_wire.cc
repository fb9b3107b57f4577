// Length-prefixed frames for the reporter socket.
#include "core/report/reporter_wire.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace mptest::report {

std::string EncodeFrame(const google::protobuf::MessageLite& message) {
  std::string payload = message.SerializeAsString();
  const uint32_t length = static_cast<uint32_t>(payload.size());
  std::string frame(4, '\0');
  for (int i = 0; i < 4; ++i) frame[i] = static_cast<char>((length >> (8 * i)) & 0xFF);
  frame += payload;
  return frame;
}

absl::StatusOr<bool> TakeFrame(std::string* buffer, std::string* payload) {
  if (buffer->size() < 4) return false;
  uint32_t length = 0;
  for (int i = 0; i < 4; ++i) {
    length |= static_cast<uint32_t>(static_cast<unsigned char>((*buffer)[i])) << (8 * i);
  }
  if (length > kMaxReporterFrame) {
    return absl::InvalidArgumentError(absl::StrCat(
        "reporter frame of ", length, " bytes is over the limit of ", kMaxReporterFrame));
  }
  if (buffer->size() < 4 + static_cast<size_t>(length)) return false;
  payload->assign(*buffer, 4, length);
  buffer->erase(0, 4 + static_cast<size_t>(length));
  return true;
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
  std::string buffer, payload;
  while (true) {
    absl::StatusOr<bool> complete = TakeFrame(&buffer, &payload);
    if (!complete.ok()) return complete.status();
    if (*complete) return payload;
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
    buffer.append(chunk, static_cast<size_t>(n));
  }
}

}  // namespace mptest::report
