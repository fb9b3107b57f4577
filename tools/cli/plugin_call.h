// `mptest plugin-call NAME METHOD [REQUEST]`: one plugin function called alone, in a supervised
// child process with a deadline, so that a plugin author can try a board driver, builder or
// harness by hand, or in their own CI, without a campaign. REQUEST is a file holding the
// method's request message as textproto ("-": standard input; none: an empty message); the
// response is printed as textproto on standard output.
//
//   METHOD       plugin kind     request           response
//   Discover     board driver    DiscoverRequest   DiscoverResponse
//   Start        board driver    Tentacle          Tentacle
//   Stop         board driver    Tentacle          -
//   PowerCycle   board driver    Tentacle          -
//   Flash        board driver    FlashRequest      -
//   Version      board driver    Tentacle          the identity the board reports (raw REPL on
//                                                  Tentacle.console; core/repl/firmware_identity.h)
//   Build        builder         BuildRequest      Firmware
//   Run          harness         HarnessRequest    HarnessResult
//
// A board started by plugin-call keeps running after it returns (until Stop), unlike a
// campaign's, so that Start, Version, Flash and Stop can be called one after the other.
#ifndef MPTEST_TOOLS_CLI_PLUGIN_CALL_H_
#define MPTEST_TOOLS_CLI_PLUGIN_CALL_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tools/cli/cli_plugins.h"

namespace mptest::cli {

// The methods plugin-call knows, in the table's order.
const std::vector<std::string>& PluginCallMethods();

// Checks what can be checked before the call (the method, the plugin of its kind, the request's
// textproto: InvalidArgument naming the file, line and column) and calls the method in a forked
// child with `timeout`. Returns the response as textproto. Errors: the plugin's own status,
// with the plugin, its file and the method (plugin 'x' (libx.so) Start: ...); a crash, an exit
// or a hang of the child as ABORTED / DEADLINE_EXCEEDED naming the same.
absl::StatusOr<std::string> CallPluginMethod(CliPlugins& plugins, const std::string& name,
                                             const std::string& method,
                                             const std::string& request_path,
                                             absl::Duration timeout);

// The command: prints the response or the error; exit 0, 2 (usage: unknown method or plugin,
// bad request file) or 3 (the call failed, crashed or hung).
int RunPluginCall(CliPlugins& plugins, const std::vector<std::string>& args,
                  absl::Duration timeout);

}  // namespace mptest::cli

#endif  // MPTEST_TOOLS_CLI_PLUGIN_CALL_H_
