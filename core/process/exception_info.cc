// Exception description and throw-site backtraces; see exception_info.h.
#include "core/process/exception_info.h"

#include <cxxabi.h>
#include <dlfcn.h>

#include <atomic>
#include <cstdlib>
#include <exception>
#include <memory>
#include <vector>

#include "absl/debugging/stacktrace.h"
#include "absl/debugging/symbolize.h"
#include "absl/strings/str_cat.h"

namespace mptest::process {
namespace {

constexpr int kMaxFrames = 64;

struct ThrowSite {
  void* frames[kMaxFrames];
  int depth = 0;
  const std::type_info* type = nullptr;
};

std::atomic<bool> g_capture{false};
thread_local ThrowSite t_last_throw;

// One line per frame. Frames up to and including the throw hook itself are left out, so the
// first line is the function that threw.
std::string FormatFrames(void* const* frames, int depth) {
  std::vector<std::string> symbols;
  int first = 0;
  for (int i = 0; i < depth; ++i) {
    char name[1024];
    // A return address may point just past a call at the very end of a function (a throw in
    // a noreturn path), into the next function: look up the call instruction instead.
    void* pc = i == 0 ? frames[i] : static_cast<char*>(frames[i]) - 1;
    symbols.push_back(absl::Symbolize(pc, name, sizeof(name)) ? name : "(unknown)");
    if (symbols.back().find("__cxa_throw") != std::string::npos) first = i + 1;
  }
  std::string out;
  for (int i = first; i < depth; ++i) {
    absl::StrAppend(&out, "#", i - first, " ", absl::Hex(reinterpret_cast<uintptr_t>(frames[i])),
                    " ", symbols[i], "\n");
  }
  return out;
}

}  // namespace

void EnableThrowSiteCapture() { g_capture.store(true, std::memory_order_relaxed); }

// Called from the __cxa_throw hook.
void RecordThrowSite(const std::type_info* type) {
  if (!g_capture.load(std::memory_order_relaxed)) return;
  t_last_throw.depth = absl::GetStackTrace(t_last_throw.frames, kMaxFrames, 0);
  t_last_throw.type = type;
}

std::string Demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(
      abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  return status == 0 && demangled != nullptr ? std::string(demangled.get()) : std::string(mangled);
}

std::string CurrentBacktrace(int skip) {
  void* frames[kMaxFrames];
  int depth = absl::GetStackTrace(frames, kMaxFrames, skip + 1);
  return FormatFrames(frames, depth);
}

proto::ChildFailure DescribeCurrentException() {
  proto::ChildFailure failure;
  const std::type_info* type = abi::__cxa_current_exception_type();
  if (type != nullptr) failure.set_exception_type(Demangle(type->name()));
  try {
    throw;
  } catch (const std::exception& e) {
    failure.set_exception_type(Demangle(typeid(e).name()));
    failure.set_message(e.what());
  } catch (...) {
    failure.set_message(absl::StrCat("an exception of type ", failure.exception_type(),
                                     " that does not derive from std::exception"));
  }
  if (t_last_throw.depth > 0 && t_last_throw.type == type) {
    failure.set_backtrace(FormatFrames(t_last_throw.frames, t_last_throw.depth));
  } else {
    failure.set_backtrace(CurrentBacktrace(1));
  }
  return failure;
}

}  // namespace mptest::process
