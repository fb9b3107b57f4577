// The shared-memory event ring; see event_ring.h.
#include "core/bus/event_ring.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace mptest::bus {

struct EventRing::Header {
  std::atomic<uint64_t> head;  // bytes ever written (producer)
  char pad1[56];
  std::atomic<uint64_t> tail;  // bytes ever consumed (consumer)
  char pad2[56];
  std::atomic<uint32_t> consumer_sleeping;
  uint32_t capacity;
};
static_assert(std::atomic<uint64_t>::is_always_lock_free, "the ring needs lock-free atomics");

namespace {

constexpr size_t kHeaderBytes = 4096;  // keeps the data page-aligned
constexpr size_t kLengthBytes = 4;

absl::Status Errno(const std::string& what) {
  return absl::Status(absl::ErrnoToStatusCode(errno), absl::StrCat(what, ": ", strerror(errno)));
}

}  // namespace

EventRing::EventRing(int fd, Header* header, size_t capacity)
    : fd_(fd),
      header_(header),
      data_(reinterpret_cast<char*>(header) + kHeaderBytes),
      capacity_(capacity) {}

EventRing::EventRing(EventRing&& other) noexcept { *this = std::move(other); }

EventRing& EventRing::operator=(EventRing&& other) noexcept {
  if (this == &other) return *this;
  Unmap();
  fd_ = std::exchange(other.fd_, -1);
  header_ = std::exchange(other.header_, nullptr);
  data_ = std::exchange(other.data_, nullptr);
  capacity_ = std::exchange(other.capacity_, 0);
  scratch_ = std::move(other.scratch_);
  return *this;
}

EventRing::~EventRing() { Unmap(); }

void EventRing::Unmap() {
  if (header_ != nullptr) munmap(header_, kHeaderBytes + capacity_);
  header_ = nullptr;
  CloseFd();
}

void EventRing::CloseFd() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

absl::StatusOr<EventRing> EventRing::Create(size_t capacity) {
  int fd = memfd_create("mptest-events", MFD_CLOEXEC);
  if (fd < 0) return Errno("EventRing: memfd_create");
  if (ftruncate(fd, static_cast<off_t>(kHeaderBytes + capacity)) != 0) {
    absl::Status status = Errno("EventRing: ftruncate");
    close(fd);
    return status;
  }
  void* map = mmap(nullptr, kHeaderBytes + capacity, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) {
    absl::Status status = Errno("EventRing: mmap");
    close(fd);
    return status;
  }
  Header* header = new (map) Header();  // the memfd starts zeroed; this sets the atomics
  header->capacity = static_cast<uint32_t>(capacity);
  return EventRing(fd, header, capacity);
}

absl::StatusOr<EventRing> EventRing::Attach(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0 || static_cast<size_t>(st.st_size) <= kHeaderBytes) {
    close(fd);
    return absl::InvalidArgumentError(absl::StrCat("EventRing: fd ", fd, " is not a ring"));
  }
  const size_t capacity = static_cast<size_t>(st.st_size) - kHeaderBytes;
  void* map = mmap(nullptr, kHeaderBytes + capacity, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) {
    absl::Status status = Errno("EventRing: mmap");
    close(fd);
    return status;
  }
  return EventRing(fd, static_cast<Header*>(map), capacity);
}

void EventRing::CopyIn(uint64_t position, const char* data, size_t size) {
  size_t offset = position % capacity_;
  size_t first = std::min(size, capacity_ - offset);
  memcpy(data_ + offset, data, first);
  memcpy(data_, data + first, size - first);
}

void EventRing::CopyOut(uint64_t position, char* data, size_t size) const {
  size_t offset = position % capacity_;
  size_t first = std::min(size, capacity_ - offset);
  memcpy(data, data_ + offset, first);
  memcpy(data + first, data_, size - first);
}

bool EventRing::Push(absl::string_view record, const std::function<void()>& wake) {
  const size_t needed = kLengthBytes + record.size();
  if (needed > capacity_ / 4) return false;
  const uint64_t head = header_->head.load(std::memory_order_relaxed);
  bool woke = false;
  while (head + needed - header_->tail.load(std::memory_order_acquire) > capacity_) {
    if (!woke && ConsumerSleeping()) {
      wake();
      woke = true;
    }
    usleep(20);  // the consumer drains continuously; a full ring is a brief state
  }
  uint32_t length = static_cast<uint32_t>(record.size());
  char length_bytes[kLengthBytes];
  for (size_t i = 0; i < kLengthBytes; ++i) length_bytes[i] = static_cast<char>(length >> (8 * i));
  CopyIn(head, length_bytes, kLengthBytes);
  CopyIn(head + kLengthBytes, record.data(), record.size());
  header_->head.store(head + needed, std::memory_order_seq_cst);
  return true;
}

bool EventRing::ConsumerSleeping() const {
  return header_->consumer_sleeping.load(std::memory_order_seq_cst) != 0;
}

absl::Status EventRing::Drain(const std::function<void(absl::string_view)>& fn) {
  uint64_t tail = header_->tail.load(std::memory_order_relaxed);
  const uint64_t head = header_->head.load(std::memory_order_acquire);
  while (head - tail >= kLengthBytes) {
    unsigned char length_bytes[kLengthBytes];
    CopyOut(tail, reinterpret_cast<char*>(length_bytes), kLengthBytes);
    uint32_t length = 0;
    for (size_t i = 0; i < kLengthBytes; ++i) length |= uint32_t{length_bytes[i]} << (8 * i);
    const uint64_t start = tail + kLengthBytes;
    if (length > capacity_ / 4 || length > head - start) {
      return absl::DataLossError(absl::StrCat("malformed event ring: a record announces ", length,
                                              " bytes but ", head - start, " were written"));
    }
    const size_t offset = start % capacity_;
    if (offset + length <= capacity_) {
      fn(absl::string_view(data_ + offset, length));
    } else {
      scratch_.resize(length);
      CopyOut(start, scratch_.data(), length);
      fn(scratch_);
    }
    tail = start + length;
    header_->tail.store(tail, std::memory_order_release);
  }
  return absl::OkStatus();
}

bool EventRing::Empty() const {
  return header_->head.load(std::memory_order_seq_cst) ==
         header_->tail.load(std::memory_order_relaxed);
}

bool EventRing::PrepareToSleep() {
  header_->consumer_sleeping.store(1, std::memory_order_seq_cst);
  if (!Empty()) {
    Awake();
    return false;
  }
  return true;
}

void EventRing::Awake() { header_->consumer_sleeping.store(0, std::memory_order_seq_cst); }

}  // namespace mptest::bus
