// ActivityTracker: what each call of a Supervisor said it was doing last (proto::Activity events,
// bus::ScopedActivity in the child), so that a call that dies or is killed inside an activity is
// named by it: "was killed by SIGSEGV during plugin 'execpty' (libexecpty.so) Flash on q001".
#ifndef MPTEST_CORE_PROCESS_ACTIVITY_TRACKER_H_
#define MPTEST_CORE_PROCESS_ACTIVITY_TRACKER_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/bus/event_bus.h"

namespace mptest::process {

class ActivityTracker {
 public:
  ActivityTracker() = default;
  ~ActivityTracker();  // stops following every bus it follows
  ActivityTracker(const ActivityTracker&) = delete;
  ActivityTracker& operator=(const ActivityTracker&) = delete;

  // Watches `bus` for Activity events (once per bus; nullptr is ignored). The bus must outlive
  // this tracker or be unfollowed first.
  void Follow(bus::EventBus* bus);
  void Unfollow(bus::EventBus* bus);

  // The innermost activity the call (`target`, `index`) began and did not end, "" if none; the
  // call is forgotten.
  std::string Take(const std::string& target, int index);
  // Take without forgetting.
  std::string Peek(const std::string& target, int index) const;

 private:
  struct State {
    std::mutex mutex;
    std::map<std::pair<std::string, int>, std::vector<std::string>> open;
  };
  // Shared with the handlers: an abandoned inline call's thread may publish after this is gone.
  std::shared_ptr<State> state_ = std::make_shared<State>();
  std::vector<std::pair<bus::EventBus*, bus::EventBus::SubscriptionId>> followed_;
};

}  // namespace mptest::process

#endif  // MPTEST_CORE_PROCESS_ACTIVITY_TRACKER_H_
