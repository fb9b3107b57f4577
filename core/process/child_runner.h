// The child side of pcall: running a target in a forked or spawned child and reporting its
// result or exception on the channel, the registry of targets a spawned child can run, and the
// early hook a binary that uses the spawn context calls at the top of main().
#ifndef MPTEST_CORE_PROCESS_CHILD_RUNNER_H_
#define MPTEST_CORE_PROCESS_CHILD_RUNNER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <typeinfo>

#include "absl/strings/string_view.h"

namespace mptest::process {

// Environment variable naming the channel descriptor of a spawned child.
inline constexpr char kSpawnChannelEnv[] = "MPTEST_SPAWN_CHANNEL_FD";
// The descriptor number a spawned child finds its channel on.
inline constexpr int kSpawnChannelFd = 3;
// With an event bus, the child's event ring (a memfd) is on fd 4, named by this variable.
inline constexpr char kSpawnRingEnv[] = "MPTEST_SPAWN_RING_FD";
inline constexpr int kSpawnRingFd = 4;
// Largest result a call may return: 1 GiB of data. Its encoding (codec.h) may add one length
// prefix of up to kResultPrefixBytes, so a std::string or Bytes of exactly 1 GiB passes; an
// encoding longer than kMaxResultBytes + kResultPrefixBytes is ResultTooLarge. The parent holds
// a result's bytes at most twice (as received, then as decoded), never more
// (bench/result_memory_bench: 2.0x for 256 MiB).
inline constexpr size_t kMaxResultBytes = size_t{1} << 30;
inline constexpr size_t kResultPrefixBytes = 10;  // the longest varint length prefix
// Largest frame on a channel: a result with its prefix and tag byte (bus::WriteTaggedFrame).
inline constexpr size_t kMaxChannelFrame = kMaxResultBytes + kResultPrefixBytes + 1;

// Runs `target` (which returns the encoded result or throws) and writes a result frame or a
// failure frame to `channel_fd`. Returns the exit code the child should _exit with: 0 after a
// result, 1 after an exception, 2 if the channel could not be written. Before it writes, it
// SIGKILLs and reaps every process the target started and left running (the child is their
// subreaper), so nothing outlives a call that returned. An encoded result longer than
// `max_result_bytes` + kResultPrefixBytes is reported as a ResultTooLarge failure. For pcall
// children only.
int RunTargetAndReport(int channel_fd, const std::function<std::string()>& target,
                       size_t max_result_bytes = kMaxResultBytes);

// glog messages sent so far by this process, all severities.
int64_t LoggedMessageCount();
// Before a child's _exit: flushes glog's files if messages were logged since `count_before`
// (their buffered lines would be lost). Otherwise does nothing, so a child that logged nothing
// touches no log state (each lock it would take is a page copied after fork) and does not
// write out the parent's buffered lines a second time.
void FlushLogsIfLoggedSince(int64_t count_before);

// A target a spawned child can run: decodes the argument tuple, calls, encodes the result.
using SpawnInvoker = std::string (*)(absl::string_view encoded_args);

// Registers `invoker` under `name` and the function's address. Called by
// MPTEST_REGISTER_TARGET (pcall.h) during static initialization. Returns true.
bool RegisterSpawnTarget(const char* name, const void* function, SpawnInvoker invoker);
// The registered name of a function, or "" if it was not registered.
std::string SpawnTargetName(const void* function);

// A function's name for messages: its registered name, else its unqualified, demangled symbol
// name from the dynamic symbol table (dladdr) or the object file's .symtab (static and
// anonymous-namespace functions too; the file is mapped and unmapped, no descriptor stays
// open, unlike a full symbolizer), else "target@<address>" (a stripped binary). Cached.
std::string FunctionName(const void* function);
// A callable object's name for messages: its type's demangled name without "(anonymous
// namespace)::", e.g. "mptest::Foo_Test::TestBody()::{lambda(int)#1}" or "ns::Adder".
std::string CallableName(const std::type_info& type);

// Call first thing in main() of any binary that runs pcall with the spawn context (the gtest
// main //core/process:spawn_gtest_main does). In a spawned child it runs the requested target
// and exits; everywhere else it returns at once.
void RunSpawnedChildIfRequested();

}  // namespace mptest::process

#endif  // MPTEST_CORE_PROCESS_CHILD_RUNNER_H_
