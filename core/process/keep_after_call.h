// The one way a process started from a supervised call (a board driver's Start launching a
// detached board) says it is meant to outlive that call: it runs with this variable in its
// environment. A pcall child does not end such a process, nor its descendants, with its other
// leftovers; everything else it started still ends with the call. The campaign's lifeline
// (firmware/launcher.h) still ends it with the campaign.
#ifndef MPTEST_CORE_PROCESS_KEEP_AFTER_CALL_H_
#define MPTEST_CORE_PROCESS_KEEP_AFTER_CALL_H_

namespace mptest::process {

inline constexpr char kKeepAfterCallVariable[] = "MPTEST_KEEP_AFTER_CALL";
inline constexpr char kKeepAfterCallValue[] = "1";

}  // namespace mptest::process

#endif  // MPTEST_CORE_PROCESS_KEEP_AFTER_CALL_H_
