// The child side of pcall; see child_runner.h.
#include "core/process/child_runner.h"

#include <stdlib.h>
#include <unistd.h>

#include <map>
#include <mutex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/bus/event_sender.h"
#include "core/bus/frame.h"
#include "core/log/child_log.h"
#include "core/process/descendants.h"
#include "core/process/exception_info.h"
#include "core/proto/channel.pb.h"
#include "glog/logging.h"

namespace mptest::process {
namespace {

struct SpawnEntry {
  std::string name;
  SpawnInvoker invoker;
};

struct Registry {
  std::mutex mu;
  std::map<std::string, SpawnEntry> by_name;
  std::map<const void*, std::string> name_by_address;
};

Registry& GetRegistry() {
  static Registry* registry = new Registry;
  return *registry;
}

int ReportFailure(int channel_fd, const proto::ChildFailure& failure) {
  google::FlushLogFiles(google::GLOG_INFO);
  return bus::WriteTaggedFrame(channel_fd, bus::kFailureTag, failure.SerializeAsString()).ok() ? 1
                                                                                               : 2;
}

// Reads the spawn request from the (blocking) channel.
bool ReadSpawnRequest(int fd, proto::SpawnRequest* request) {
  bus::FrameReader reader(kMaxChannelFrame);
  for (;;) {
    auto frame = reader.Next();
    if (!frame.ok()) return false;
    if (frame->has_value()) return request->ParseFromString(**frame);
    auto more = reader.ReadFrom(fd);
    if (!more.ok() || !*more) return false;
  }
}

constexpr int kEndDescendantsLimitMs = 2000;

}  // namespace

int RunTargetAndReport(int channel_fd, const std::function<std::string()>& target,
                       size_t max_result_bytes) {
  std::string result;
  try {
    result = target();
  } catch (...) {
    proto::ChildFailure failure = DescribeCurrentException();
    EndOwnDescendants(kEndDescendantsLimitMs);
    return ReportFailure(channel_fd, failure);
  }
  // Nothing the target started outlives the call, even what left its process group: this
  // process is the subreaper of all of it. Ended before reporting, so that a reported call
  // has no descendants left for the parent to look for.
  EndOwnDescendants(kEndDescendantsLimitMs);
  // Said as such, not as a channel the parent refuses.
  if (result.size() > max_result_bytes + kResultPrefixBytes) {
    proto::ChildFailure failure;
    failure.set_exception_type("mptest::process::ResultTooLarge");
    failure.set_message(absl::StrCat("the call's result is ", result.size(),
                                     " bytes encoded, more than the limit of ", max_result_bytes,
                                     " (and a length prefix of up to ", kResultPrefixBytes, ")"));
    return ReportFailure(channel_fd, failure);
  }
  return bus::WriteTaggedFrame(channel_fd, bus::kResultTag, result).ok() ? 0 : 2;
}

int64_t LoggedMessageCount() {
  int64_t count = 0;
  for (int severity = 0; severity < google::NUM_SEVERITIES; ++severity) {
    count += google::LogMessage::num_messages(severity);
  }
  return count;
}

void FlushLogsIfLoggedSince(int64_t count_before) {
  if (LoggedMessageCount() != count_before) google::FlushLogFiles(google::GLOG_INFO);
}

bool RegisterSpawnTarget(const char* name, const void* function, SpawnInvoker invoker) {
  Registry& registry = GetRegistry();
  std::lock_guard<std::mutex> lock(registry.mu);
  registry.by_name[name] = {name, invoker};
  registry.name_by_address[function] = name;
  return true;
}

std::string SpawnTargetName(const void* function) {
  Registry& registry = GetRegistry();
  std::lock_guard<std::mutex> lock(registry.mu);
  auto it = registry.name_by_address.find(function);
  return it == registry.name_by_address.end() ? std::string() : it->second;
}

void RunSpawnedChildIfRequested() {
  const char* fd_text = getenv(kSpawnChannelEnv);
  if (fd_text == nullptr) return;
  int fd = -1;
  if (!absl::SimpleAtoi(fd_text, &fd) || fd < 0) _exit(3);
  unsetenv(kSpawnChannelEnv);  // grandchildren that run this binary are not spawned children

  proto::SpawnRequest request;
  if (!ReadSpawnRequest(fd, &request)) _exit(3);
  // The ring lives as long as the process (it is used until _exit).
  bus::EventRing* ring = nullptr;
  if (const char* ring_text = getenv(kSpawnRingEnv); ring_text != nullptr) {
    int ring_fd = -1;
    if (absl::SimpleAtoi(ring_text, &ring_fd)) {
      absl::StatusOr<bus::EventRing> attached = bus::EventRing::Attach(ring_fd);
      if (attached.ok()) {
        ring = new bus::EventRing(std::move(*attached));
        ring->CloseFd();
      }
    }
    unsetenv(kSpawnRingEnv);
  }
  bus::InstallEventSender(
      {fd, ring, nullptr, request.target(), request.call_index(), /*report_forks=*/true});
  log::SendWarningsAsEvents();
  EnableThrowSiteCapture();
  const int64_t logged_before = LoggedMessageCount();
  if (!request.log_dir().empty()) {
    // A log that cannot be created is not a reason to fail the call; glog keeps stderr.
    log::RedirectToChildLog(log::ChildLogPath(request.log_dir(), request.task(), getpid()))
        .IgnoreError();
  }
  SpawnInvoker invoker = nullptr;
  {
    Registry& registry = GetRegistry();
    std::lock_guard<std::mutex> lock(registry.mu);
    auto it = registry.by_name.find(request.target());
    if (it != registry.by_name.end()) invoker = it->second.invoker;
  }
  if (invoker == nullptr) {
    proto::ChildFailure failure;
    failure.set_exception_type("mptest::process::UnregisteredTarget");
    failure.set_message("target '" + request.target() +
                        "' is not registered in this binary (MPTEST_REGISTER_TARGET)");
    _exit(ReportFailure(fd, failure));
  }
  const std::string& args = request.args();
  int code = RunTargetAndReport(fd, [&] { return invoker(args); });
  FlushLogsIfLoggedSince(logged_before);
  _exit(code);
}

}  // namespace mptest::process
