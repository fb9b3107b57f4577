// ActivityTracker: see activity_tracker.h.
#include "core/process/activity_tracker.h"

#include <algorithm>

namespace mptest::process {

ActivityTracker::~ActivityTracker() {
  for (const auto& [bus, id] : followed_) bus->Unsubscribe(id);
}

void ActivityTracker::Follow(bus::EventBus* bus) {
  if (bus == nullptr) return;
  for (const auto& followed : followed_) {
    if (followed.first == bus) return;
  }
  const bus::EventBus::SubscriptionId id =
      bus->SubscribeTo(proto::Event::kActivity, [state = state_](const proto::Event& event) {
        std::lock_guard<std::mutex> lock(state->mutex);
        std::vector<std::string>& open = state->open[{event.source(), event.call_index()}];
        if (!event.activity().ended()) {
          open.push_back(event.activity().what());
          return;
        }
        auto last = std::find(open.rbegin(), open.rend(), event.activity().what());
        if (last != open.rend()) open.erase(std::next(last).base());
        if (open.empty()) state->open.erase({event.source(), event.call_index()});
      });
  followed_.emplace_back(bus, id);
}

void ActivityTracker::Unfollow(bus::EventBus* bus) {
  for (auto it = followed_.begin(); it != followed_.end(); ++it) {
    if (it->first != bus) continue;
    bus->Unsubscribe(it->second);
    followed_.erase(it);
    return;
  }
}

std::string ActivityTracker::Peek(const std::string& target, int index) const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  auto call = state_->open.find({target, index});
  return call == state_->open.end() ? "" : call->second.back();
}

std::string ActivityTracker::Take(const std::string& target, int index) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  auto call = state_->open.find({target, index});
  if (call == state_->open.end()) return "";
  std::string innermost = call->second.back();
  state_->open.erase(call);
  return innermost;
}

}  // namespace mptest::process
