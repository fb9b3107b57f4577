// Power-control signals through a signalfd (see control_signals.h).
#include "core/pty/control_signals.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace mptest::pty {

ControlSignals::ControlSignals() {
  sigset_t mask;
  sigemptyset(&mask);
  for (int sig : {SIGHUP, SIGTERM, SIGINT, SIGCHLD}) sigaddset(&mask, sig);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  signal(SIGPIPE, SIG_IGN);
  fd_.reset(signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC));
}

std::vector<ControlSignals::Event> ControlSignals::Read() {
  std::vector<Event> events;
  signalfd_siginfo info;
  while (read(fd_.get(), &info, sizeof(info)) == sizeof(info)) {
    if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT) events.push_back(Event::kStop);
    if (info.ssi_signo == SIGHUP) events.push_back(Event::kPowerCycle);
  }
  return events;
}

}  // namespace mptest::pty
