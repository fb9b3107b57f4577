// Processes of a campaign that died: every program a campaign starts inherits
// MPTEST_CAMPAIGN=<its results directory>, so the next campaign on that directory (which holds
// its lock, so no live campaign can own them) finds what the dead one left running (boards,
// relays, harnesses) and ends it before it starts. Boards normally end with their campaign
// (the launcher's lifeline); this is the net under that, and it says what it caught.
#ifndef MPTEST_TOOLS_CLI_LEFTOVERS_H_
#define MPTEST_TOOLS_CLI_LEFTOVERS_H_

#include <string>
#include <vector>

namespace mptest::cli {

inline constexpr char kCampaignVariable[] = "MPTEST_CAMPAIGN";

// Sets kCampaignVariable to `results_dir` in this process's environment (before anything is
// started, so every descendant inherits it).
void MarkCampaign(const std::string& results_dir);

// Ends (SIGKILL, waiting up to 2 s) every process other than this one and its children whose
// environment holds kCampaignVariable=`results_dir`; returns "pid <n>: <command>" for each.
std::vector<std::string> EndLeftovers(const std::string& results_dir);

}  // namespace mptest::cli

#endif  // MPTEST_TOOLS_CLI_LEFTOVERS_H_
