// The list-tentacles table (see tentacle_table.h).
#include "plugins/boards/tentacle_table.h"

#include <algorithm>
#include <array>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace mptest {

std::string FormatTentacleTable(const std::vector<proto::Tentacle>& tentacles) {
  using Row = std::array<std::string, 6>;
  std::vector<Row> rows = {{"LABEL", "TYPE", "BOARD", "VARIANTS", "PORT", "STATE"}};
  for (const proto::Tentacle& tentacle : tentacles) {
    const auto& variants = tentacle.entry().variants_size() > 0 ? tentacle.entry().variants()
                                                                : tentacle.board().variants();
    std::vector<std::string> shown;
    for (const std::string& variant : variants) {
      shown.push_back(variant.empty() ? "(default)" : variant);
    }
    rows.push_back({tentacle.entry().label(), tentacle.entry().type(), tentacle.entry().board(),
                    shown.empty() ? "(default)" : absl::StrJoin(shown, ","),
                    tentacle.console().empty() ? "-" : tentacle.console(),
                    tentacle.state().empty() ? "-" : tentacle.state()});
  }
  std::array<size_t, 6> widths{};
  for (const Row& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const Row& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

}  // namespace mptest
