// ChildProcessError formatting and Status round-trip; see child_error.h.
#include "core/process/child_error.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "core/process/subprocess.h"

namespace mptest::process {

std::string ChildProcessError::Summary() const {
  std::string summary = SummaryWithoutActivity();
  if (!error.activity().empty()) absl::StrAppend(&summary, " during ", error.activity());
  return summary;
}

std::string ChildProcessError::SummaryWithoutActivity() const {
  std::string who = absl::StrCat("call ", error.call_index(), " of '", error.target(), "'");
  if (error.pid() > 0) absl::StrAppend(&who, " (pid ", error.pid(), ")");
  switch (error.kind()) {
    case proto::ChildError::EXCEPTION:
      return absl::StrCat(who, " threw ", error.exception().exception_type(), ": ",
                          error.exception().message());
    case proto::ChildError::SIGNALED:
      return absl::StrCat(who, " was killed by ", SignalName(error.signal()),
                          error.core_dumped() ? " (core dumped)" : "");
    case proto::ChildError::EXITED:
      return absl::StrCat(who, " exited ", error.exit_code(), " without returning a result");
    case proto::ChildError::TIMED_OUT:
      return absl::StrCat(who, " ", error.detail());
    case proto::ChildError::CHANNEL:
      return absl::StrCat(who, " sent a malformed channel: ", error.detail());
    case proto::ChildError::CANCELLED:
      return absl::StrCat(who, " was cancelled: ", error.detail());
    case proto::ChildError::START_FAILED:
      return absl::StrCat(who, " could not be started: ", error.detail());
    default:
      return absl::StrCat(who, " failed");
  }
}

std::string ChildProcessError::Describe() const {
  std::string out = Summary();
  if (!error.exception().backtrace().empty()) {
    absl::StrAppend(&out, "\nchild backtrace:\n", error.exception().backtrace());
  }
  if (!error.log_path().empty()) absl::StrAppend(&out, "\nchild log: ", error.log_path());
  return out;
}

absl::Status ChildProcessError::ToStatus() const {
  absl::StatusCode code = absl::StatusCode::kAborted;
  switch (error.kind()) {
    case proto::ChildError::TIMED_OUT:
      code = absl::StatusCode::kDeadlineExceeded;
      break;
    case proto::ChildError::CHANNEL:
      code = absl::StatusCode::kDataLoss;
      break;
    case proto::ChildError::CANCELLED:
      code = absl::StatusCode::kCancelled;
      break;
    case proto::ChildError::START_FAILED:
      code = absl::StatusCode::kUnavailable;
      break;
    default:
      break;
  }
  absl::Status status(code, Describe());
  status.SetPayload(kChildErrorPayloadUrl, absl::Cord(error.SerializeAsString()));
  return status;
}

std::optional<ChildProcessError> GetChildProcessError(const absl::Status& status) {
  auto payload = status.GetPayload(kChildErrorPayloadUrl);
  if (!payload.has_value()) return std::nullopt;
  ChildProcessError error;
  if (!error.error.ParseFromString(std::string(*payload))) return std::nullopt;
  return error;
}

}  // namespace mptest::process
