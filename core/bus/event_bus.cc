// EventBus dispatch; see event_bus.h.
#include "core/bus/event_bus.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace mptest::bus {

EventBus::SubscriptionId EventBus::Subscribe(Handler handler) {
  return SubscribeTo(proto::Event::KIND_NOT_SET, std::move(handler));
}

EventBus::SubscriptionId EventBus::SubscribeTo(proto::Event::KindCase kind, Handler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  subscriptions_.push_back({next_id_, kind, std::move(handler)});
  return next_id_++;
}

void EventBus::Unsubscribe(SubscriptionId id) {
  std::lock_guard<std::mutex> lock(mu_);
  subscriptions_.erase(std::remove_if(subscriptions_.begin(), subscriptions_.end(),
                                      [id](const Subscription& s) { return s.id == id; }),
                       subscriptions_.end());
}

void EventBus::Publish(const proto::Event& event) {
  std::vector<Subscription> targets;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++published_;
    for (const Subscription& s : subscriptions_) {
      if (s.kind == proto::Event::KIND_NOT_SET || s.kind == event.kind_case()) {
        targets.push_back(s);
      }
    }
  }
  for (const Subscription& s : targets) s.handler(event);
}

absl::Status EventBus::PublishSerialized(absl::string_view body) {
  proto::Event event;
  if (!event.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return absl::DataLossError(absl::StrCat("malformed event frame: ", body.size(),
                                            " bytes are not a valid mptest.proto.Event"));
  }
  Publish(event);
  return absl::OkStatus();
}

int64_t EventBus::published() const {
  std::lock_guard<std::mutex> lock(mu_);
  return published_;
}

}  // namespace mptest::bus
