// What a child reports about an exception that escaped its target: the demangled dynamic type,
// the message, and the backtrace of the throw site. The throw-site stack is captured by a hook
// on __cxa_throw (throw_hook.cc) that is active only in pcall children; if the hook is bypassed
// (a sanitizer runtime can interpose __cxa_throw first), the backtrace is that of the catch.
#ifndef MPTEST_CORE_PROCESS_EXCEPTION_INFO_H_
#define MPTEST_CORE_PROCESS_EXCEPTION_INFO_H_

#include <string>
#include <typeinfo>

#include "core/proto/channel.pb.h"

namespace mptest::process {

// "std::runtime_error" for the mangled name of a type.
std::string Demangle(const char* mangled);

// Call only inside a catch block: describes the exception being handled.
proto::ChildFailure DescribeCurrentException();

// Symbolized frames of the current stack, one "#n 0xADDR function" per line, skipping `skip`
// innermost frames.
std::string CurrentBacktrace(int skip);

// Turns on throw-site capture for this process (called in children).
void EnableThrowSiteCapture();

}  // namespace mptest::process

#endif  // MPTEST_CORE_PROCESS_EXCEPTION_INFO_H_
