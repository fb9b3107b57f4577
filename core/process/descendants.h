// Finding and ending the processes a pcall child left behind, including those that escaped its
// process group (setsid, setpgid, a daemon's double fork). Internal to core/process.
//
// How a pcall child's descendants are known (supervisor.h documents the guarantee):
//  - Each pcall child is a child subreaper itself, so while it lives every process it started,
//    directly or through orphaned intermediates, stays in its process tree
//    (/proc/<pid>/task/<tid>/children). Walking that tree finds them all.
//  - When the child ends on its own terms (the target returned or threw), it ends its own
//    descendants before it reports (EndOwnDescendants), so nothing outlives the call.
//  - When the supervisor ends a child (timeout, cancel, terminate, interrupt), it walks the
//    tree first and signals every descendant, recording each (pid, start time).
//  - Every process forked in the child's tree by this binary's code reports its own pid to the
//    supervisor when it is born (bus::SenderContext::report_forks), which records it too.
//  - A child that dies abruptly by itself (a crash, _exit inside the target) hands its
//    descendants to this process, its subreaper; the recorded ones are ended then. Nothing is
//    attributed by guesswork (start times, process groups): a process this process started
//    itself, such as a detached board, is never taken for a child's leftover.
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
// Children kept after the call (KeptAfterCall) are left running.
void EndOwnDescendants(int limit_ms);

// After a pcall child's leader has exited: SIGKILLs every process in `seen` that still runs
// (with its whole tree, stopped first), and reaps those that are, or become, this process's
// children, until none is left or `limit_ms` passes. A process counts as the one recorded only
// if its start time matches, so a reused pid is never touched.
void EndLeftovers(std::vector<ProcessRef> seen, int limit_ms);

// True when `pid` runs with kKeepAfterCallVariable=kKeepAfterCallValue in its environment
// (keep_after_call.h): it is not a leftover of the call that started it. EndOwnDescendants and
// EndLeftovers spare it, and its descendants with it.
bool KeptAfterCall(pid_t pid);

// The (pid, start time) of `pid` if it is still running, for recording it.
std::optional<ProcessRef> RefOf(pid_t pid);

}  // namespace mptest::process

#endif  // MPTEST_CORE_PROCESS_DESCENDANTS_H_
