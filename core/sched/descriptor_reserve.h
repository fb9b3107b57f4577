// Descriptors held back for the end of a campaign. A campaign that runs out of descriptors
// (EMFILE: the open-file limit, `ulimit -n`) must still record its runs, write its reports and
// say in one line why it ended; with every descriptor taken it could do none of that. mptest
// reserves a few at start (dups of /dev/null, close-on-exec) and releases them where running
// out is noticed: a job that could not be started, a host error that ends the campaign.
// Process-wide; call from the scheduler's thread only.
#ifndef MPTEST_CORE_SCHED_DESCRIPTOR_RESERVE_H_
#define MPTEST_CORE_SCHED_DESCRIPTOR_RESERVE_H_

namespace mptest::sched {

// How many ReserveDescriptors holds by default, and at least (if that many are free): what
// the end needs at once is glog's three files, a report file and its directory, a /proc walk.
inline constexpr int kReservedDescriptors = 16;
inline constexpr int kMinReservedDescriptors = 8;

// Holds up to `count` more descriptors: a quarter of those still free under the open-file
// limit, at least kMinReservedDescriptors (or all that are free), at most `count`. Returns how
// many are held in all.
int ReserveDescriptors(int count = kReservedDescriptors);

// Closes every held descriptor. Returns how many it closed (0 when none were held).
int ReleaseReservedDescriptors();

}  // namespace mptest::sched

#endif  // MPTEST_CORE_SCHED_DESCRIPTOR_RESERVE_H_
