// The listing commands of mptest: list-tests and list-tentacles.
#ifndef MPTEST_TOOLS_CLI_LISTING_H_
#define MPTEST_TOOLS_CLI_LISTING_H_

#include "core/sched/config.h"
#include "core/sched/plugins.h"

namespace mptest::cli {

// Prints every test kind: label, feature, harness, timeout, priority, tentacles, args, help.
int ListTests(const sched::LabConfig& lab);

// Prints the inventory's tentacles as their drivers discover them (Discover: no power-on), in
// the board plugins' tentacle table; a type whose driver fails shows its error as the state.
int ListTentacles(const sched::LabConfig& lab, sched::PluginSource& plugins);

}  // namespace mptest::cli

#endif  // MPTEST_TOOLS_CLI_LISTING_H_
