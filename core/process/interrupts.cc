// Interrupt handling for pcall's event loops; see interrupts.h.
#include "core/process/interrupts.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <mutex>

namespace mptest::process {
namespace {

std::atomic<int> g_interrupt_count{0};
std::atomic<int> g_interrupt_signal{0};
std::atomic<int> g_interrupt_fd{-1};
std::mutex g_interrupt_mu;
int g_interrupt_users = 0;
struct sigaction g_old_sigint, g_old_sigterm;

// Async-signal-safe: atomics and write(2) only.
void OnInterrupt(int signal_number) {
  int saved_errno = errno;
  g_interrupt_signal.store(signal_number);
  g_interrupt_count.fetch_add(1);
  uint64_t one = 1;
  ssize_t ignored = write(g_interrupt_fd.load(), &one, sizeof(one));
  (void)ignored;
  errno = saved_errno;
}

}  // namespace

int AcquireInterruptHandlers() {
  std::lock_guard<std::mutex> lock(g_interrupt_mu);
  if (g_interrupt_fd.load() < 0) g_interrupt_fd.store(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (g_interrupt_users++ == 0) {
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = OnInterrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &g_old_sigint);
    sigaction(SIGTERM, &action, &g_old_sigterm);
  }
  return g_interrupt_fd.load();
}

void ReleaseInterruptHandlers() {
  std::lock_guard<std::mutex> lock(g_interrupt_mu);
  if (--g_interrupt_users == 0) {
    sigaction(SIGINT, &g_old_sigint, nullptr);
    sigaction(SIGTERM, &g_old_sigterm, nullptr);
    close(g_interrupt_fd.exchange(-1));
  }
}

int InterruptCount() { return g_interrupt_count.load(); }
int LastInterruptSignal() { return g_interrupt_signal.load(); }
int InterruptFd() { return g_interrupt_fd.load(); }

}  // namespace mptest::process
