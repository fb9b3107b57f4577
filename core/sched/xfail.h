// The xfail file (the anchor's format): {"<group label>": {"<test file>": ["BOARD-VARIANT", ...]}}
// turns known failures into expected ones ("xfailed"). An entry "BOARD" covers every variant of
// the board; "*" covers every board.
#ifndef MPTEST_CORE_SCHED_XFAIL_H_
#define MPTEST_CORE_SCHED_XFAIL_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace mptest::sched {

class Xfail {
 public:
  Xfail() = default;
  // Errors name the file and what does not fit.
  static absl::StatusOr<Xfail> Load(const std::string& path);
  static absl::StatusOr<Xfail> Parse(const std::string& json, const std::string& file_name);

  bool Expected(const std::string& group, const std::string& test, const std::string& board,
                const std::string& variant) const;
  bool empty() const { return entries_.empty(); }
  // The JSON it was parsed from, for runs on other hosts (their workers parse it again).
  const std::string& json() const { return json_; }

  // The entries that can never match: a group that is not among `groups` (the test kinds'
  // labels), or a board name that is neither "*", a board of `board_variants` (BOARD to its
  // variants) nor one of its BOARD-VARIANTs. One line per entry, for warnings.
  std::vector<std::string> Unmatched(
      const std::set<std::string>& groups,
      const std::map<std::string, std::vector<std::string>>& board_variants) const;

 private:
  std::map<std::pair<std::string, std::string>, std::set<std::string>> entries_;
  std::string json_;
};

}  // namespace mptest::sched

#endif  // MPTEST_CORE_SCHED_XFAIL_H_
