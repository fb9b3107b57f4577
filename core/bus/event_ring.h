// EventRing: a single-producer, single-consumer ring of length-prefixed records in memory
// shared between a child and its parent (a memfd mapped MAP_SHARED). A child's SendEvent
// appends to it without a system call, and because the memory is shared, an event is in the
// parent's hands the moment SendEvent returns: a crash right after loses nothing. The
// consumer sleeps in epoll; a producer writes a wake-up frame to the child's pipe only when
// the consumer has announced it is going to sleep (a Dekker handshake with seq_cst atomics).
#ifndef MPTEST_CORE_BUS_EVENT_RING_H_
#define MPTEST_CORE_BUS_EVENT_RING_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mptest::bus {

inline constexpr size_t kDefaultRingCapacity = size_t{256} << 10;

class EventRing {
 public:
  // Creates a ring backed by a new memfd (close-on-exec) of `capacity` data bytes.
  static absl::StatusOr<EventRing> Create(size_t capacity = kDefaultRingCapacity);
  // Maps the ring whose memfd is `fd` (a spawned child). Takes ownership of fd.
  static absl::StatusOr<EventRing> Attach(int fd);

  EventRing() = default;
  EventRing(EventRing&& other) noexcept;
  EventRing& operator=(EventRing&& other) noexcept;
  EventRing(const EventRing&) = delete;
  EventRing& operator=(const EventRing&) = delete;
  ~EventRing();

  bool valid() const { return header_ != nullptr; }
  int fd() const { return fd_; }
  // Closes the memfd; the mapping stays (the parent does this once children are started).
  void CloseFd();

  // Producer: appends one record, waiting (briefly sleeping) while the ring is full and
  // calling `wake` first if the consumer sleeps. Records larger than a quarter of the ring are
  // refused (false): send those another way.
  bool Push(absl::string_view record, const std::function<void()>& wake);
  // Producer: true if the consumer announced it sleeps; call after Push, then wake it.
  bool ConsumerSleeping() const;

  // Consumer: hands every complete record to `fn` in order and frees its space. `fn` may not
  // keep the view. A record whose length runs past what was written (the producer scribbled
  // on the ring) is a DataLossError; the ring is then unusable.
  absl::Status Drain(const std::function<void(absl::string_view)>& fn);
  bool Empty() const;
  // Consumer: announce sleeping; returns false (and un-announces) if records arrived meanwhile.
  bool PrepareToSleep();
  void Awake();

 private:
  struct Header;
  EventRing(int fd, Header* header, size_t capacity);
  void Unmap();
  void CopyIn(uint64_t position, const char* data, size_t size);
  void CopyOut(uint64_t position, char* data, size_t size) const;

  int fd_ = -1;
  Header* header_ = nullptr;
  char* data_ = nullptr;
  size_t capacity_ = 0;
  std::string scratch_;  // consumer: a record that wraps around the end
};

}  // namespace mptest::bus

#endif  // MPTEST_CORE_BUS_EVENT_RING_H_
