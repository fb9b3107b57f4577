// Tests for ChildProcessError's messages and its round trip through absl::Status.
#include "core/process/child_error.h"

#include <signal.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::process {
namespace {

using ::testing::HasSubstr;

ChildProcessError Error(proto::ChildError::Kind kind) {
  ChildProcessError e;
  e.error.set_kind(kind);
  e.error.set_pid(4242);
  e.error.set_target("flash");
  e.error.set_call_index(2);
  return e;
}

TEST(ChildErrorTest, SummariesNameTheCallAndTheCause) {
  ChildProcessError signaled = Error(proto::ChildError::SIGNALED);
  signaled.error.set_signal(SIGSEGV);
  signaled.error.set_core_dumped(true);
  EXPECT_EQ(signaled.Summary(), "call 2 of 'flash' (pid 4242) was killed by SIGSEGV (core dumped)");

  ChildProcessError exited = Error(proto::ChildError::EXITED);
  exited.error.set_exit_code(3);
  EXPECT_EQ(exited.Summary(), "call 2 of 'flash' (pid 4242) exited 3 without returning a result");

  ChildProcessError threw = Error(proto::ChildError::EXCEPTION);
  threw.error.mutable_exception()->set_exception_type("std::runtime_error");
  threw.error.mutable_exception()->set_message("boom");
  threw.error.mutable_exception()->set_backtrace("#0 0x1 Flash()\n");
  threw.error.set_log_path("/logs/pcall:pid-4242");
  EXPECT_EQ(threw.Summary(), "call 2 of 'flash' (pid 4242) threw std::runtime_error: boom");
  EXPECT_THAT(threw.Describe(), HasSubstr("child backtrace:\n#0 0x1 Flash()"));
  EXPECT_THAT(threw.Describe(), HasSubstr("child log: /logs/pcall:pid-4242"));
}

TEST(ChildErrorTest, StatusCarriesTheErrorWithAMatchingCode) {
  const std::pair<proto::ChildError::Kind, absl::StatusCode> cases[] = {
      {proto::ChildError::EXCEPTION, absl::StatusCode::kAborted},
      {proto::ChildError::SIGNALED, absl::StatusCode::kAborted},
      {proto::ChildError::EXITED, absl::StatusCode::kAborted},
      {proto::ChildError::TIMED_OUT, absl::StatusCode::kDeadlineExceeded},
      {proto::ChildError::CHANNEL, absl::StatusCode::kDataLoss},
      {proto::ChildError::CANCELLED, absl::StatusCode::kCancelled},
      {proto::ChildError::START_FAILED, absl::StatusCode::kUnavailable},
  };
  for (const auto& [kind, code] : cases) {
    absl::Status status = Error(kind).ToStatus();
    EXPECT_EQ(status.code(), code) << proto::ChildError::Kind_Name(kind);
    std::optional<ChildProcessError> back = GetChildProcessError(status);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->error.kind(), kind);
    EXPECT_EQ(back->error.pid(), 4242);
    EXPECT_EQ(back->error.target(), "flash");
  }
  EXPECT_FALSE(GetChildProcessError(absl::InternalError("plain")).has_value());
}

}  // namespace
}  // namespace mptest::process
