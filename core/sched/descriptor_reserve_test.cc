// The descriptor reserve: what it holds is given back, so that a process at its open-file limit
// can open files again once it releases them.
#include "core/sched/descriptor_reserve.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <vector>

#include "gtest/gtest.h"

namespace mptest::sched {
namespace {

// An open-file limit of 64 (soft) while it lives.
class OpenFileLimit64 {
 public:
  OpenFileLimit64() {
    getrlimit(RLIMIT_NOFILE, &old_);
    struct rlimit low = old_;
    low.rlim_cur = 64;
    EXPECT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  }
  ~OpenFileLimit64() { EXPECT_EQ(setrlimit(RLIMIT_NOFILE, &old_), 0); }

 private:
  struct rlimit old_;
};

TEST(DescriptorReserveTest, ReleasingLetsAProcessAtItsLimitOpenFilesAgain) {
  OpenFileLimit64 limit;
  EXPECT_EQ(ReserveDescriptors(8), 8);  // of more than 32 free
  std::vector<int> filler;              // everything else the limit allows
  for (int fd; (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) filler.push_back(fd);
  EXPECT_LT(open("/dev/null", O_RDONLY | O_CLOEXEC), 0);  // out of descriptors (EMFILE)
  EXPECT_EQ(ReleaseReservedDescriptors(), 8);
  EXPECT_EQ(ReleaseReservedDescriptors(), 0);  // once
  std::vector<int> reopened;
  for (int i = 0; i < 8; ++i) reopened.push_back(open("/dev/null", O_RDONLY | O_CLOEXEC));
  for (int fd : reopened) EXPECT_GE(fd, 0);
  for (int fd : reopened) close(fd);
  for (int fd : filler) close(fd);
}

TEST(DescriptorReserveTest, NearTheLimitItHoldsWhatItCan) {
  OpenFileLimit64 limit;
  const int held = ReserveDescriptors(1000);
  EXPECT_GE(held, kMinReservedDescriptors);
  EXPECT_LE(held, 64 / 4);  // a quarter of what was free
  EXPECT_EQ(ReleaseReservedDescriptors(), held);
}

}  // namespace
}  // namespace mptest::sched
