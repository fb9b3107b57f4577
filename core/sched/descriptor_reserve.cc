// Descriptors held back for the end of a campaign (see descriptor_reserve.h).
#include "core/sched/descriptor_reserve.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

namespace mptest::sched {
namespace {

std::vector<int>& Held() {
  static std::vector<int>* held = new std::vector<int>;
  return *held;
}

// Descriptors this process may still open: its open-file limit minus those open now.
int FreeDescriptors() {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  DIR* fds = opendir("/proc/self/fd");
  if (fds == nullptr) return 0;  // none left even for this
  long open_now = -1;            // the listing's own descriptor is not counted
  while (dirent* entry = readdir(fds)) open_now += entry->d_name[0] != '.';
  closedir(fds);
  const long free = static_cast<long>(std::min<rlim_t>(limit.rlim_cur, 1 << 20)) - open_now;
  return static_cast<int>(std::max(0L, free));
}

}  // namespace

int ReserveDescriptors(int count) {
  std::vector<int>& held = Held();
  const int free = FreeDescriptors();
  count = std::min({count, free, std::max(kMinReservedDescriptors, free / 4)});
  for (int i = 0; i < count; ++i) {
    const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0) break;
    held.push_back(fd);
  }
  return static_cast<int>(held.size());
}

int ReleaseReservedDescriptors() {
  std::vector<int>& held = Held();
  const int released = static_cast<int>(held.size());
  for (int fd : held) close(fd);
  held.clear();
  return released;
}

}  // namespace mptest::sched
