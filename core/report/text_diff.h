// A unified diff of two texts, line by line, for the failures people read: junit.xml's
// <failure> body and results.json's Outcome.diff show what a test printed against what was
// expected, as `diff -u expected output` would.
#ifndef MPTEST_CORE_REPORT_TEXT_DIFF_H_
#define MPTEST_CORE_REPORT_TEXT_DIFF_H_

#include <string>

#include "absl/strings/string_view.h"

namespace mptest::report {

// "--- expected\n+++ output\n" and hunks "@@ -a,b +c,d @@" with 2 lines of context. At most
// `max_lines` lines of hunks are kept (then "... N more lines"); texts longer than 2,000 lines
// are compared in their first 2,000. Empty when the texts are equal.
std::string UnifiedDiff(absl::string_view expected, absl::string_view output, int max_lines = 60);

}  // namespace mptest::report

#endif  // MPTEST_CORE_REPORT_TEXT_DIFF_H_
