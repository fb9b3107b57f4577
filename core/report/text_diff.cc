// Unified diff of two texts (see text_diff.h): longest common subsequence of lines.
#include "core/report/text_diff.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mptest::report {
namespace {

constexpr size_t kMaxCompared = 2000;
constexpr int kContext = 2;

std::vector<absl::string_view> Lines(absl::string_view text) {
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();  // the final newline
  if (lines.size() > kMaxCompared) lines.resize(kMaxCompared);
  return lines;
}

// One line of the edit script: ' ' both, '-' expected only, '+' output only.
struct Edit {
  char kind;
  absl::string_view line;
  size_t a;  // lines of expected before this one
  size_t b;  // lines of output before this one
};

std::vector<Edit> EditScript(const std::vector<absl::string_view>& a,
                             const std::vector<absl::string_view>& b) {
  const size_t n = a.size(), m = b.size();
  // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
  std::vector<std::vector<uint16_t>> lcs(n + 1, std::vector<uint16_t>(m + 1, 0));
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::vector<Edit> edits;
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      edits.push_back({' ', a[i], i, j});
      ++i, ++j;
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      edits.push_back({'-', a[i], i, j});  // removals before additions, as diff -u
      ++i;
    } else {
      edits.push_back({'+', b[j], i, j});
      ++j;
    }
  }
  return edits;
}

}  // namespace

std::string UnifiedDiff(absl::string_view expected, absl::string_view output, int max_lines) {
  const std::vector<absl::string_view> a = Lines(expected), b = Lines(output);
  const std::vector<Edit> edits = EditScript(a, b);
  std::string hunks;
  int written = 0, dropped = 0;
  for (size_t start = 0; start < edits.size();) {
    // The next change, and its hunk: changes closer than 2 * context lines join.
    while (start < edits.size() && edits[start].kind == ' ') ++start;
    if (start == edits.size()) break;
    size_t first = start >= kContext ? start - kContext : 0;
    size_t end = start, last_change = start;
    while (end < edits.size()) {
      if (edits[end].kind != ' ') last_change = end;
      if (end - last_change > 2 * kContext) break;
      ++end;
    }
    end = std::min(edits.size(), last_change + kContext + 1);
    size_t a_count = 0, b_count = 0;
    for (size_t k = first; k < end; ++k) {
      a_count += edits[k].kind != '+';
      b_count += edits[k].kind != '-';
    }
    std::string hunk = absl::StrCat("@@ -", edits[first].a + (a_count ? 1 : 0), ",", a_count, " +",
                                    edits[first].b + (b_count ? 1 : 0), ",", b_count, " @@\n");
    for (size_t k = first; k < end; ++k) {
      absl::StrAppend(&hunk, std::string(1, edits[k].kind), edits[k].line, "\n");
    }
    const int lines = static_cast<int>(end - first) + 1;
    if (written + lines <= max_lines) {
      hunks += hunk;
      written += lines;
    } else {
      dropped += lines;
    }
    start = end;
  }
  if (hunks.empty() && dropped == 0) return "";
  if (dropped > 0) absl::StrAppend(&hunks, "... ", dropped, " more lines\n");
  return absl::StrCat("--- expected\n+++ output\n", hunks);
}

}  // namespace mptest::report
