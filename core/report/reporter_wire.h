// The reporter's wire format: protobuf messages in core/bus's frames (frame.h: a 4-byte
// little-endian length, then the payload) over a unix stream socket, at most kMaxReporterFrame.
#ifndef MPTEST_CORE_REPORT_REPORTER_WIRE_H_
#define MPTEST_CORE_REPORT_REPORTER_WIRE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message_lite.h"

namespace mptest::report {

// The environment variable through which descendants find the reporter socket.
inline constexpr char kReporterSocketEnv[] = "MPTEST_REPORTER_SOCKET";
// And the reporter_send program that mptest ships beside itself, for scripts.
inline constexpr char kReporterSendEnv[] = "MPTEST_REPORTER_SEND";

inline constexpr uint32_t kMaxReporterFrame = 1 << 20;

// The frame (header + payload) carrying `message`. Frames are read with bus::FrameReader
// (kMaxReporterFrame).
std::string EncodeFrame(const google::protobuf::MessageLite& message);

// Blocking helpers for the client side: write everything (no SIGPIPE), read one frame before
// `deadline`.
absl::Status SendAll(int fd, absl::string_view data);
absl::StatusOr<std::string> ReceiveFrame(int fd, absl::Time deadline);

}  // namespace mptest::report

#endif  // MPTEST_CORE_REPORT_REPORTER_WIRE_H_
