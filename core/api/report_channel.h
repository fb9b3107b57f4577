// ReportChannel: how a plugin's long call (a harness's Run, a builder's Build) tells mptest what
// it is doing while the call goes on: the implementation sends, mptest (or, inside a plugin, the
// SDK) connects the receiver around the call. One shape for every such report.
#ifndef MPTEST_CORE_API_REPORT_CHANNEL_H_
#define MPTEST_CORE_API_REPORT_CHANNEL_H_

#include <functional>
#include <memory>
#include <mutex>
#include <utility>

namespace mptest {

template <typename Message>
class ReportChannel {
 public:
  using Receiver = std::function<void(const Message&)>;

  // Delivers `message` to the receiver connected now, on the calling thread. Cheap and
  // thread-safe; does nothing when none is connected (a unit test, an mptest without the call).
  void Send(const Message& message) const {
    std::shared_ptr<const Receiver> receiver;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      receiver = receiver_;
    }
    if (receiver != nullptr && *receiver) (*receiver)(message);
  }

  // Where Send goes from now on; nullptr: nowhere. A Send running meanwhile on another thread
  // finishes with the receiver it took.
  void Connect(Receiver receiver) {
    auto shared = receiver ? std::make_shared<const Receiver>(std::move(receiver)) : nullptr;
    std::lock_guard<std::mutex> lock(mutex_);
    receiver_ = std::move(shared);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Receiver> receiver_;
};

}  // namespace mptest

#endif  // MPTEST_CORE_API_REPORT_CHANNEL_H_
