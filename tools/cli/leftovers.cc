// Marking a campaign's processes and ending a dead campaign's (see leftovers.h).
#include "tools/cli/leftovers.h"

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "core/process/descendants.h"
#include "core/report/atomic_file.h"

namespace mptest::cli {

void MarkCampaign(const std::string& results_dir) {
  setenv(kCampaignVariable, results_dir.c_str(), 1);
}

std::vector<std::string> EndLeftovers(const std::string& results_dir) {
  const std::string wanted = absl::StrCat(kCampaignVariable, "=", results_dir);
  const pid_t self = getpid();
  std::vector<process::ProcessRef> found;
  std::vector<std::string> described;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return described;
  while (dirent* entry = readdir(proc)) {
    const std::string name = entry->d_name;
    if (name.empty() || !absl::ascii_isdigit(static_cast<unsigned char>(name[0]))) continue;
    const pid_t pid = static_cast<pid_t>(std::atoi(name.c_str()));
    if (pid == self) continue;
    absl::StatusOr<std::string> environment =
        report::ReadFile(absl::StrCat("/proc/", pid, "/environ"));  // only our own are readable
    if (!environment.ok()) continue;
    bool match = false;
    for (size_t start = 0; start < environment->size();) {
      size_t end = environment->find('\0', start);
      if (end == std::string::npos) end = environment->size();
      match |= absl::string_view(*environment).substr(start, end - start) == wanted;
      start = end + 1;
    }
    if (!match) continue;
    std::optional<process::ProcStat> stat = process::ReadProcStat(pid);
    if (!stat.has_value() || stat->ppid == self || stat->state == 'Z') continue;
    std::optional<process::ProcessRef> ref = process::RefOf(pid);
    if (!ref.has_value()) continue;
    found.push_back(*ref);
    absl::StatusOr<std::string> command = report::ReadFile(absl::StrCat("/proc/", pid, "/cmdline"));
    described.push_back(absl::StrCat(
        "pid ", pid, ": ",
        absl::CHexEscape(absl::StrReplaceAll(command.ok() ? command->substr(0, 200) : "?",
                                             {{std::string(1, '\0'), " "}}))));
  }
  closedir(proc);
  if (!found.empty()) process::EndLeftovers(found, 2000);
  return described;
}

}  // namespace mptest::cli
