// A cheap look at a plugin file before dlopen: is it a complete ELF shared object for this
// machine? dlopen of a truncated library maps pages past the end of the file and the process dies
// of SIGBUS when the loader touches them; this check turns that into an error message.
#ifndef MPTEST_CORE_PLUGIN_ELF_CHECK_H_
#define MPTEST_CORE_PLUGIN_ELF_CHECK_H_

#include <string>

#include "absl/status/status.h"

namespace mptest::plugin {

// OK if `path` is a 64-bit ELF shared object (ET_DYN) for this machine whose program headers,
// loadable segments and section headers all lie within the file. Otherwise FailedPrecondition
// naming the path and what is wrong ("not an ELF file", "truncated: 1000 bytes, segment 2 needs
// 14536").
absl::Status CheckElfSharedObject(const std::string& path);

}  // namespace mptest::plugin

#endif  // MPTEST_CORE_PLUGIN_ELF_CHECK_H_
