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
  auto updated = std::make_shared<SubscriptionList>(*subscriptions_);
  updated->push_back({next_id_, kind, std::move(handler)});
  subscriptions_ = std::move(updated);
  return next_id_++;
}

void EventBus::Unsubscribe(SubscriptionId id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto updated = std::make_shared<SubscriptionList>(*subscriptions_);
  updated->erase(std::remove_if(updated->begin(), updated->end(),
                                [id](const Subscription& s) { return s.id == id; }),
                 updated->end());
  subscriptions_ = std::move(updated);
}

void EventBus::Publish(const proto::Event& event) {
  std::shared_ptr<const SubscriptionList> subscriptions;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++published_;
    subscriptions = subscriptions_;
  }
  for (const Subscription& s : *subscriptions) {
    if (s.kind == proto::Event::KIND_NOT_SET || s.kind == event.kind_case()) s.handler(event);
  }
}

absl::Status EventBus::PublishSerialized(absl::string_view body) {
  thread_local proto::Event event;  // reused: no allocation per event once warmed up
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
