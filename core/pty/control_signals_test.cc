// Tests for ControlSignals: signals sent to the process arrive as events, in order.
#include "core/pty/control_signals.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace mptest::pty {
namespace {

TEST(ControlSignalsTest, HangUpAndTerminateBecomeEvents) {
  ControlSignals signals;
  ASSERT_GE(signals.fd(), 0);
  EXPECT_TRUE(signals.Read().empty());
  kill(getpid(), SIGHUP);
  pollfd pfd = {signals.fd(), POLLIN, 0};
  ASSERT_EQ(poll(&pfd, 1, 5000), 1);
  EXPECT_EQ(signals.Read(), std::vector<ControlSignals::Event>{ControlSignals::Event::kPowerCycle});
  kill(getpid(), SIGTERM);
  ASSERT_EQ(poll(&pfd, 1, 5000), 1);
  EXPECT_EQ(signals.Read(), std::vector<ControlSignals::Event>{ControlSignals::Event::kStop});
}

}  // namespace
}  // namespace mptest::pty
