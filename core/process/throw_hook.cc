// Interposes __cxa_throw to record the stack of each throw in pcall children (see
// exception_info.h), then forwards to the next definition (libstdc++ or a sanitizer runtime).
// Kept in its own file, apart from <cxxabi.h>, whose declaration would conflict.
#include <dlfcn.h>

#include <typeinfo>

namespace mptest::process {
void RecordThrowSite(const std::type_info* type);
}  // namespace mptest::process

namespace {
using CxaThrow = void (*)(void*, std::type_info*, void (*)(void*));
}  // namespace

extern "C" [[noreturn]] void __cxa_throw(void* thrown, std::type_info* type,
                                         void (*destructor)(void*)) {
  static CxaThrow next = reinterpret_cast<CxaThrow>(dlsym(RTLD_NEXT, "__cxa_throw"));
  mptest::process::RecordThrowSite(type);
  next(thrown, type, destructor);
  __builtin_unreachable();
}
