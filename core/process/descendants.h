// Finding and ending the processes a pcall child left behind, including those that escaped its
// process group (setsid, setpgid, a daemon's double fork). Internal to core/process.
//
// How a pcall child's descendants are attributed to it (the rule supervisor.h documents):
//  - Each pcall child is a child subreaper itself, so while it lives every process it started,
//    directly or through orphaned intermediates, stays in its process tree
//    (/proc/<pid>/task/<tid>/children). Walking that tree finds them all.
//  - When the child ends on its own terms (the target returned or threw), it ends its own
//    descendants before it reports (EndOwnDescendants), so nothing outlives the call.
//  - When the supervisor ends a child (timeout, cancel, terminate, interrupt), it walks the
//    tree first and signals every descendant, recording each (pid, start time).
//  - Only a child that dies abruptly by itself (a crash, _exit inside the target) hands its
//    descendants to the caller, its subreaper. Then the caller's children are ended when they
//    were recorded for that child, or when all of these hold: not started by a Supervisor or
//    RunCommand in this process (the process-wide registry below), started while that child
//    lived (start time, 10 ms resolution), and not in the caller's own process group.
#ifndef MPTEST_CORE_PROCESS_DESCENDANTS_H_
#define MPTEST_CORE_PROCESS_DESCENDANTS_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace mptest::process {

// A process as of one moment: its pid and its start time (clock ticks after boot), which
// together survive pid reuse.
struct ProcessRef {
  pid_t pid = 0;
  uint64_t start_ticks = 0;
};

// The fields of /proc/<pid>/stat that attribution needs.
struct ProcStat {
  char state = 0;  // 'R', 'S', 'Z', ...
  pid_t ppid = 0;
  pid_t pgid = 0;
  uint64_t start_ticks = 0;
};
std::optional<ProcStat> ReadProcStat(pid_t pid);

// Clock ticks after boot now, in the unit of ProcStat::start_ticks.
uint64_t NowInStartTicks();

// `pid`'s direct children: /proc/<pid>/task/<tid>/children of every thread, or, on a kernel
// without that file, a scan of every /proc/<n>/stat for PPid == pid.
std::vector<pid_t> ChildrenOf(pid_t pid);

// Walks the tree under `root` (not root itself) and sends `signal_number` to every live
// descendant, and to the process group of each that leads its own group (a group a descendant
// created by setsid/setpgid). Other groups are never signalled: a descendant may have joined
// a group of the caller's. Each process found is appended to *seen (if not there already).
// For SIGKILL, root and every descendant are first stopped top down (a stopped process cannot
// fork, so no fork races the walk), then all are killed; root is not added to *seen.
void SignalDescendants(pid_t root, int signal_number, std::vector<ProcessRef>* seen);

// In a pcall child, after the target has ended: SIGKILLs every descendant and reaps them (this
// process is their subreaper), waiting at most `limit_ms`. One waitpid when there are none.
void EndOwnDescendants(int limit_ms);

// After a pcall child's leader has been reaped: SIGKILLs and reaps this process's children
// that the child left behind, until none is left or `limit_ms` passes. A child of ours is
// left behind if it is in `seen`, or, when `adopt_unrecorded` (the child died by itself), if
// it matches the start-time rule above for a child that lived from `start_ticks` to
// `end_ticks`. Their descendants are ended too.
void EndLeftovers(std::vector<ProcessRef> seen, bool adopt_unrecorded, uint64_t start_ticks,
                  uint64_t end_ticks, int limit_ms);

// The process-wide registry of children started by a Supervisor or RunCommand, so that no
// supervisor mistakes another's child for a leftover. Call BeginManagedFork before fork and
// EndManagedFork with fork's result right after, in the parent; ForgetManagedChild after
// reaping. While a fork is between the two, no unrecorded child is adopted.
void BeginManagedFork();
void EndManagedFork(pid_t pid);
void ForgetManagedChild(pid_t pid);
// (A forked child that uses the registry starts it afresh: the parent's entries are not its.)

}  // namespace mptest::process

#endif  // MPTEST_CORE_PROCESS_DESCENDANTS_H_
