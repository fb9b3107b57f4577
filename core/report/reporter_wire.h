// The reporter's wire format: length-prefixed protobuf frames over a unix stream socket
// (4-byte little-endian length, then that many bytes; at most kMaxReporterFrame).
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

inline constexpr uint32_t kMaxReporterFrame = 1 << 20;

// The frame (header + payload) carrying `message`.
std::string EncodeFrame(const google::protobuf::MessageLite& message);

// If `buffer` starts with a complete frame, moves its payload into `payload`, removes the
// frame from `buffer` and returns true; false if more bytes are needed; an error if the
// announced length is over kMaxReporterFrame.
absl::StatusOr<bool> TakeFrame(std::string* buffer, std::string* payload);

// Blocking helpers for the client side: write everything (no SIGPIPE), read one frame before
// `deadline`.
absl::Status SendAll(int fd, absl::string_view data);
absl::StatusOr<std::string> ReceiveFrame(int fd, absl::Time deadline);

}  // namespace mptest::report

#endif  // MPTEST_CORE_REPORT_REPORTER_WIRE_H_
