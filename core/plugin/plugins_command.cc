// `mptest plugins`: see plugins_command.h.
#include "core/plugin/plugins_command.h"

#include <algorithm>
#include <array>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace mptest::plugin {
namespace {

constexpr size_t kColumns = 6;
using Row = std::array<std::string, kColumns>;

void PrintTable(const std::vector<Row>& rows, std::ostream& out) {
  std::array<size_t, kColumns> widths{};
  for (const Row& row : rows) {
    for (size_t i = 0; i < kColumns; ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const Row& row : rows) {
    std::string line;
    for (size_t i = 0; i < kColumns; ++i) {
      absl::StrAppend(&line, row[i]);
      if (i + 1 < kColumns) line.append(widths[i] - row[i].size() + 2, ' ');
    }
    out << line << "\n";
  }
}

bool Matches(const PluginRecord& record, const std::vector<std::string>& names) {
  if (names.empty()) return true;
  for (const std::string& name : names) {
    if (record.name == name) return true;
    absl::string_view base = absl::string_view(record.path).substr(record.path.rfind('/') + 1);
    if (record.name.empty() && (base == absl::StrCat("lib", name, ".so") || base == name + ".so")) {
      return true;
    }
  }
  return false;
}

}  // namespace

int PrintPlugins(const PluginRegistry& registry, const std::vector<std::string>& names,
                 std::ostream& out) {
  std::vector<Row> usable = {{"NAME", "KINDS", "VERSION", "ABI", "ORIGIN", "FILE"}};
  std::vector<std::string> rejected;
  for (const PluginRecord& record : registry.records()) {
    if (!Matches(record, names)) continue;
    if (record.status.ok()) {
      usable.push_back({record.name, absl::StrJoin(record.kinds, ","), record.version,
                        absl::StrCat(record.abi_version), record.origin, record.path});
    } else {
      rejected.push_back(absl::StrCat("  ", record.name.empty() ? "" : record.name + ": ",
                                      record.status.message(), " [", record.origin, "]"));
    }
  }
  if (usable.size() > 1) {
    PrintTable(usable, out);
  } else {
    out << "No usable plugins" << (names.empty() ? "" : " of those named") << ".\n";
  }
  if (!rejected.empty()) {
    out << "\nRejected:\n" << absl::StrJoin(rejected, "\n") << "\n";
  }
  int exit_code = 0;
  for (const std::string& name : names) {
    if (absl::Status status = registry.Check(name); !status.ok()) {
      out << "\nmptest plugins: " << status.message() << "\n";
      exit_code = 2;
    }
  }
  return exit_code;
}

int RunPluginsCommand(const PluginsCommandOptions& options, std::ostream& out) {
  return PrintPlugins(PluginRegistry::Load(options.search), options.names, out);
}

}  // namespace mptest::plugin
