// Checks of a plugin descriptor (core/api/plugin_abi.h) made before the host calls anything in
// the plugin: the ABI version first, then the struct sizes, the strings and the function tables.
#ifndef MPTEST_CORE_PLUGIN_ABI_CHECK_H_
#define MPTEST_CORE_PLUGIN_ABI_CHECK_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "core/api/plugin_abi.h"

namespace mptest::plugin {

// True for [a-z0-9_]+ of at most 64 characters.
bool IsValidPluginName(absl::string_view name);

// Returns OK, or FailedPrecondition / InvalidArgument whose message says what is wrong, e.g.
// "built for ABI 3, this mptest supports 1" or "board_driver.flash is NULL (required)". The
// message does not name the file: the caller adds it. `descriptor` may be NULL.
absl::Status CheckDescriptor(const mptest_plugin_descriptor* descriptor);

// The kinds a (checked) descriptor provides: "builder", "board_driver", "harness".
std::vector<std::string> DescriptorKinds(const mptest_plugin_descriptor& descriptor);

}  // namespace mptest::plugin

#endif  // MPTEST_CORE_PLUGIN_ABI_CHECK_H_
