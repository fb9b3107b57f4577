// The xfail file (see xfail.h).
#include "core/sched/xfail.h"

#include "absl/strings/str_cat.h"
#include "core/sched/config.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace mptest::sched {

absl::StatusOr<Xfail> Xfail::Load(const std::string& path) {
  absl::StatusOr<std::string> text = ReadConfigFile(path);
  if (!text.ok()) return text.status();
  return Parse(*text, path);
}

absl::StatusOr<Xfail> Xfail::Parse(const std::string& json, const std::string& file_name) {
  google::protobuf::Struct root;
  if (auto status = google::protobuf::util::JsonStringToMessage(json, &root); !status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name, ": not a JSON object: ", status.message().as_string()));
  }
  Xfail xfail;
  xfail.json_ = json;
  for (const auto& [group, tests] : root.fields()) {
    if (!tests.has_struct_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          file_name, ": \"", group, "\": expected {\"<test file>\": [\"BOARD-VARIANT\", ...]}"));
    }
    for (const auto& [test, boards] : tests.struct_value().fields()) {
      if (!boards.has_list_value()) {
        return absl::InvalidArgumentError(absl::StrCat(file_name, ": \"", group, "\".\"", test,
                                                       "\": expected a list of board names"));
      }
      auto& set = xfail.entries_[{group, test}];
      for (const auto& board : boards.list_value().values()) {
        if (!board.has_string_value()) {
          return absl::InvalidArgumentError(absl::StrCat(file_name, ": \"", group, "\".\"", test,
                                                         "\": board names must be strings"));
        }
        set.insert(board.string_value());
      }
    }
  }
  return xfail;
}

bool Xfail::Expected(const std::string& group, const std::string& test, const std::string& board,
                     const std::string& variant) const {
  auto it = entries_.find({group, test});
  if (it == entries_.end()) return false;
  const std::set<std::string>& boards = it->second;
  std::string board_variant = variant.empty() ? board : absl::StrCat(board, "-", variant);
  return boards.count("*") > 0 || boards.count(board) > 0 || boards.count(board_variant) > 0;
}

std::vector<std::string> Xfail::Unmatched(
    const std::set<std::string>& groups,
    const std::map<std::string, std::vector<std::string>>& board_variants) const {
  std::set<std::string> names = {"*"};
  for (const auto& [board, variants] : board_variants) {
    names.insert(board);
    for (const std::string& variant : variants) {
      if (!variant.empty()) names.insert(absl::StrCat(board, "-", variant));
    }
  }
  std::vector<std::string> unmatched;
  for (const auto& [key, boards] : entries_) {
    const auto& [group, test] = key;
    if (groups.count(group) == 0) {
      unmatched.push_back(absl::StrCat("\"", group, "\": no test kind has this label"));
      continue;
    }
    for (const std::string& board : boards) {
      if (names.count(board) == 0) {
        unmatched.push_back(absl::StrCat("\"", group, "\".\"", test, "\": \"", board,
                                         "\" is no board or BOARD-VARIANT of the lab"));
      }
    }
  }
  return unmatched;
}

}  // namespace mptest::sched
