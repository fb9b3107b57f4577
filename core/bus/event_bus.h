// EventBus: the parent's side of the event channel. The pcall event loop publishes each event a
// child sends, in the order that child sent it; subscribers (the console, the scheduler, tests)
// receive them on the loop's thread. A child sends with SendEvent (event_sender.h).
#ifndef MPTEST_CORE_BUS_EVENT_BUS_H_
#define MPTEST_CORE_BUS_EVENT_BUS_H_

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "core/proto/events.pb.h"

namespace mptest::bus {

class EventBus {
 public:
  using Handler = std::function<void(const proto::Event&)>;
  using SubscriptionId = int;

  // Every event, in subscription order.
  SubscriptionId Subscribe(Handler handler);
  // Only events whose oneof `kind` is `kind`.
  SubscriptionId SubscribeTo(proto::Event::KindCase kind, Handler handler);
  void Unsubscribe(SubscriptionId id);

  // Calls the matching subscribers on this thread. Handlers may subscribe/unsubscribe; such
  // changes apply from the next event.
  void Publish(const proto::Event& event);

  // Parses one event frame's body (the bytes after the kEventTag) and publishes it. A body that
  // is not a valid mptest.proto.Event is a DataLossError naming its size; nothing is published.
  absl::Status PublishSerialized(absl::string_view body);

  int64_t published() const;

 private:
  struct Subscription {
    SubscriptionId id;
    proto::Event::KindCase kind;  // KIND_NOT_SET = all
    Handler handler;
  };
  using SubscriptionList = std::vector<Subscription>;
  mutable std::mutex mu_;
  // Copy-on-write: Publish takes a reference to the current list instead of copying it.
  std::shared_ptr<const SubscriptionList> subscriptions_ = std::make_shared<SubscriptionList>();
  SubscriptionId next_id_ = 1;
  int64_t published_ = 0;
};

}  // namespace mptest::bus

#endif  // MPTEST_CORE_BUS_EVENT_BUS_H_
