// SIGINT/SIGTERM while a pcall Join waits: the handlers only count the signal and wake every
// waiting event loop through an eventfd; the loops then end their children. Process-wide,
// reference-counted: installed while at least one Join waits, the previous handlers restored
// (and the eventfd closed) when the last one returns.
#ifndef MPTEST_CORE_PROCESS_INTERRUPTS_H_
#define MPTEST_CORE_PROCESS_INTERRUPTS_H_

namespace mptest::process {

// Installs the handlers (first caller) and returns the eventfd to watch with EPOLLET.
int AcquireInterruptHandlers();
void ReleaseInterruptHandlers();

// How many SIGINT/SIGTERM arrived since the process started, and the last one's number.
int InterruptCount();
int LastInterruptSignal();
// The eventfd while some Join waits, else -1.
int InterruptFd();

}  // namespace mptest::process

#endif  // MPTEST_CORE_PROCESS_INTERRUPTS_H_
