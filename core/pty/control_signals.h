// The power-control signals of long-running console servers (the virtual board, the execpty
// relay): SIGTERM/SIGINT = stop, SIGHUP = power cycle, read from a signalfd inside their poll
// loops instead of handlers.
#ifndef MPTEST_CORE_PTY_CONTROL_SIGNALS_H_
#define MPTEST_CORE_PTY_CONTROL_SIGNALS_H_

#include <vector>

#include "core/pty/pty.h"

namespace mptest::pty {

class ControlSignals {
 public:
  enum class Event { kStop, kPowerCycle };

  // Blocks SIGHUP, SIGTERM, SIGINT and SIGCHLD (so they arrive on fd()) and ignores SIGPIPE.
  ControlSignals();

  // Poll it for POLLIN.
  int fd() const { return fd_.get(); }
  // The events waiting, in order (SIGCHLD is consumed and dropped: callers watch their
  // children's descriptors).
  std::vector<Event> Read();

 private:
  UniqueFd fd_;
};

}  // namespace mptest::pty

#endif  // MPTEST_CORE_PTY_CONTROL_SIGNALS_H_
