// The proof behind supervisor.h's advice: while another thread holds glog's mutex, a forked
// child that logs deadlocks (it inherited the held lock), and a spawned child does not (it
// is a fresh process image). Use spawn whenever the caller may have threads.
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/log/child_log.h"
#include "core/process/pcall.h"
#include "core/process/test_util.h"
#include "glog/logging.h"
#include "gtest/gtest.h"

namespace mptest::process {
namespace {

int LogInChild() {
  LOG(INFO) << "a child logging while its parent's logging mutex is held";
  return 1;
}
MPTEST_REGISTER_TARGET(LogInChild);

// A sink that blocks inside send(), which glog calls with its log mutex held.
class BlockingSink : public google::LogSink {
 public:
  void send(google::LogSeverity, const char*, const char*, int, const google::LogMessageTime&,
            const char* message, size_t message_len) override {
    if (std::string(message, message_len) != "hold the logging mutex") return;
    std::unique_lock<std::mutex> lock(mu_);
    holding_ = true;
    changed_.notify_all();
    changed_.wait(lock, [this] { return released_; });
  }
  void WaitUntilHolding() {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [this] { return holding_; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  bool holding_ = false, released_ = false;
};

// Runs LogInChild in `context` while another thread is inside glog holding its mutex.
absl::StatusOr<std::vector<int>> RunWhileLogMutexHeld(Context context) {
  BlockingSink sink;
  google::AddLogSink(&sink);
  std::thread holder([] { LOG(INFO) << "hold the logging mutex"; });
  sink.WaitUntilHolding();
  PcallOptions options;
  options.context = context;
  options.child_logs = false;  // the parent itself must not log while the mutex is held
  options.timeout = absl::Seconds(2);
  options.kill_grace = absl::Milliseconds(100);
  auto result = pcall(LogInChild, options);
  sink.Release();
  holder.join();
  google::RemoveLogSink(&sink);
  return result;
}

TEST(ForkSafetyTest, SpawnIsSafeWhileAnotherThreadHoldsTheLoggingMutex) {
  auto result = RunWhileLogMutexHeld(Context::kSpawn);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(*result, std::vector<int>{1});
  EXPECT_TRUE(testing::ChildPids().empty());
}

TEST(ForkSafetyTest, ForkDeadlocksInTheChildAndTheTimeoutEndsIt) {
  auto result = RunWhileLogMutexHeld(Context::kFork);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDeadlineExceeded) << result.status();
  EXPECT_TRUE(testing::ChildPids().empty());
}

}  // namespace
}  // namespace mptest::process
