// Textproto loading with file:line:column errors, and the lab's semantic checks.
#include "core/sched/config.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/proto/campaign.pb.h"
#include "core/report/escape.h"
#include "core/sched/matrix.h"
#include "core/sched/shards.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace mptest::sched {
namespace {

// Collects the parser's first error as "<file>:<line>:<column>: <message>" (1-based).
class FirstErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  explicit FirstErrorCollector(std::string file) : file_(std::move(file)) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (error_.empty()) error_ = absl::StrCat(file_, ":", line + 1, ":", column + 1, ": ", message);
  }
  void AddWarning(int, google::protobuf::io::ColumnNumber, const std::string&) override {}
  const std::string& error() const { return error_; }

 private:
  std::string file_;
  std::string error_;
};

// Every string field of `message` (nested, repeated and map entries included) is valid UTF-8;
// InvalidArgument naming `file` and the field otherwise. Text format's escapes ("\xff") can
// put bytes in a string that the file's own UTF-8 check cannot see.
absl::Status CheckStrings(const std::string& file, const google::protobuf::Message& message,
                          const std::string& prefix = "") {
  const google::protobuf::Reflection* reflection = message.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const google::protobuf::FieldDescriptor* field : fields) {
    const std::string name = absl::StrCat(prefix, field->name());
    const int count = field->is_repeated() ? reflection->FieldSize(message, field) : 1;
    for (int i = 0; i < count; ++i) {
      const std::string where = field->is_repeated() ? absl::StrCat(name, "[", i, "]") : name;
      if (field->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
        std::string scratch;
        const std::string& value =
            field->is_repeated()
                ? reflection->GetRepeatedStringReference(message, field, i, &scratch)
                : reflection->GetStringReference(message, field, &scratch);
        if (report::FirstInvalidUtf8(value) != std::string::npos) {
          return absl::InvalidArgumentError(
              absl::StrCat(file, ": field ", where, ": not valid UTF-8"));
        }
      } else if (field->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
        const google::protobuf::Message& child =
            field->is_repeated() ? reflection->GetRepeatedMessage(message, field, i)
                                 : reflection->GetMessage(message, field);
        if (absl::Status status = CheckStrings(file, child, where + "."); !status.ok()) {
          return status;
        }
      }
    }
  }
  return absl::OkStatus();
}

// "<what>: must be in [low, high], got <value>" unless it is.
absl::Status InRange(const std::string& where, double value, double low, double high) {
  if (value >= low && value <= high) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(where, ": must be in [", low, ", ", high, "], got ", value));
}

// A virtual tentacle's faults, each in its range (probabilities in [0, 1], counts >= 0).
absl::Status CheckFaults(const std::string& where, const proto::VirtualFaults& faults) {
  const std::string field = absl::StrCat(where, ": field faults.");
  for (absl::Status status : {
           InRange(field + "hang_after_executions", faults.hang_after_executions(), 0, 1e9),
           InRange(field + "reset_mid_output_probability", faults.reset_mid_output_probability(), 0,
                   1),
           InRange(field + "drop_line_probability", faults.drop_line_probability(), 0, 1),
           InRange(field + "garble_fraction", faults.garble_fraction(), 0, 1),
           InRange(field + "line_bytes_per_second", faults.line_bytes_per_second(), 0, 1e9),
           InRange(field + "boot_delay_s", faults.boot_delay_s(), 0, 600),
           InRange(field + "raw_paste_window", faults.raw_paste_window(), 0, 1 << 20),
       }) {
    if (!status.ok()) return status;
  }
  const std::string& paste = faults.raw_paste();
  if (!paste.empty() && paste != "supported" && paste != "refused" && paste != "unknown") {
    return absl::InvalidArgumentError(absl::StrCat(field, "raw_paste: '", absl::CHexEscape(paste),
                                                   "' is not one of supported, refused, unknown"));
  }
  return absl::OkStatus();
}

// Names become directory names (attempt directories, tentacles/<label>/) and parts of test ids
// (<LABEL>@<serial4>-<BOARD>[-<VARIANT>],<attempt>), so they must not carry '/', "..", '@',
// ',', whitespace or shell syntax: letters, digits and "_.+-", not starting with '.' or '-'.
// `allow_empty`: the default variant is "".
absl::Status CheckName(const std::string& where, absl::string_view name, bool allow_empty) {
  if (name.empty()) {
    if (allow_empty) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(where, ": must be set"));
  }
  bool ok = name.front() != '.' && name.front() != '-';
  for (char c : name) {
    ok = ok && (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' ||
                c == '+' || c == '-');
  }
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      where, ": '", absl::CHexEscape(name),
      "' is not a usable name: it becomes part of directory names and test ids, so only "
      "letters, digits and _ . + - are allowed, not first . or -"));
}

}  // namespace

absl::StatusOr<std::string> ReadConfigFile(const std::string& path) {
  // O_NONBLOCK: a FIFO must not hang the open; the checks below refuse it anyway.
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT) return absl::NotFoundError(absl::StrCat(path, ": no such file"));
    return absl::InvalidArgumentError(absl::StrCat(path, ": cannot open: ", strerror(error)));
  }
  struct stat info;
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    close(fd);
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a regular file (",
                                                   S_ISDIR(info.st_mode) ? "a directory"
                                                   : S_ISFIFO(info.st_mode)
                                                       ? "a FIFO"
                                                       : "a device or special file",
                                                   "); a configuration file is expected"));
  }
  if (info.st_size > kMaxConfigFileBytes) {
    close(fd);
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", info.st_size,
                                                   " bytes, larger than the limit for a "
                                                   "configuration file (",
                                                   kMaxConfigFileBytes, " bytes)"));
  }
  std::string text(static_cast<size_t>(info.st_size) + 1, '\0');
  size_t size = 0;
  while (size < text.size()) {
    const ssize_t n = read(fd, text.data() + size, text.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    size += static_cast<size_t>(n);
  }
  close(fd);
  if (size > static_cast<size_t>(kMaxConfigFileBytes)) {  // it grew while being read
    return absl::InvalidArgumentError(absl::StrCat(path,
                                                   ": larger than the limit for a "
                                                   "configuration file (",
                                                   kMaxConfigFileBytes, " bytes)"));
  }
  text.resize(size);
  if (size_t bad = report::FirstInvalidUtf8(text); bad != std::string::npos) {
    const size_t line_start = text.rfind('\n', bad == 0 ? 0 : bad - 1);
    const size_t line = std::count(text.begin(), text.begin() + bad, '\n') + 1;
    const size_t column = line_start == std::string::npos ? bad + 1 : bad - line_start;
    return absl::InvalidArgumentError(
        absl::StrCat(path, ":", line, ":", column, ": not valid UTF-8"));
  }
  return text;
}

absl::Status ParseTextProto(const std::string& name, const std::string& text,
                            google::protobuf::Message* message) {
  FirstErrorCollector errors(name);
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, message)) {
    return absl::InvalidArgumentError(
        errors.error().empty()
            ? absl::StrCat(name, ": not a valid ", message->GetTypeName(), " textproto")
            : errors.error());
  }
  return absl::OkStatus();
}

absl::Status LoadTextProto(const std::string& path, google::protobuf::Message* message) {
  absl::StatusOr<std::string> text = ReadConfigFile(path);
  if (!text.ok()) return text.status();
  if (absl::Status status = ParseTextProto(path, *text, message); !status.ok()) return status;
  return CheckStrings(path, *message);
}

absl::StatusOr<std::map<std::string, proto::BoardDefinition>> LoadBoards(const std::string& dir) {
  DIR* handle = opendir(dir.c_str());
  if (handle == nullptr) return absl::NotFoundError(absl::StrCat(dir, ": no boards directory"));
  std::vector<std::string> files;
  while (dirent* entry = readdir(handle)) {
    std::string name = entry->d_name;
    if (absl::EndsWith(name, ".textproto")) files.push_back(name);
  }
  closedir(handle);
  std::sort(files.begin(), files.end());
  std::map<std::string, proto::BoardDefinition> boards;
  for (const std::string& file : files) {
    std::string path = absl::StrCat(dir, "/", file);
    proto::BoardDefinition board;
    if (absl::Status status = LoadTextProto(path, &board); !status.ok()) return status;
    std::string stem = file.substr(0, file.size() - std::string(".textproto").size());
    if (board.name() != stem) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": field name: '", board.name(),
                                                     "' must equal the file name '", stem, "'"));
    }
    if (absl::Status status = CheckName(absl::StrCat(path, ": field name"), board.name(), false);
        !status.ok()) {
      return status;
    }
    if (board.port().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": field port: must be set"));
    }
    if (board.variants().empty()) board.add_variants("");
    std::set<std::string> seen;
    for (const std::string& variant : board.variants()) {
      if (absl::Status status = CheckName(absl::StrCat(path, ": field variants"), variant, true);
          !status.ok()) {
        return status;
      }
      if (!seen.insert(variant).second) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": field variants: '", variant, "' is listed twice"));
      }
    }
    boards.emplace(board.name(), std::move(board));
  }
  if (boards.empty()) return absl::NotFoundError(absl::StrCat(dir, ": no *.textproto boards"));
  return boards;
}

absl::StatusOr<std::vector<proto::TestRunSpec>> LoadSpecs(const std::string& path) {
  proto::TestRunSpecList list;
  if (absl::Status status = LoadTextProto(path, &list); !status.ok()) return status;
  return std::vector<proto::TestRunSpec>(list.spec().begin(), list.spec().end());
}

absl::StatusOr<std::map<std::string, proto::BoardDefinition>> LoadBoards(
    const std::vector<std::string>& dirs) {
  std::map<std::string, proto::BoardDefinition> boards;
  for (const std::string& dir : dirs) {
    absl::StatusOr<std::map<std::string, proto::BoardDefinition>> more = LoadBoards(dir);
    if (!more.ok()) return more.status();
    for (auto& [name, board] : *more) boards[name] = std::move(board);
  }
  return boards;
}

absl::StatusOr<LabConfig> LoadLab(const std::vector<std::string>& boards_dirs,
                                  const std::string& inventory, const std::string& specs) {
  LabConfig lab;
  absl::StatusOr<std::map<std::string, proto::BoardDefinition>> boards = LoadBoards(boards_dirs);
  if (!boards.ok()) return boards.status();
  lab.boards = *std::move(boards);
  if (absl::Status status = LoadTextProto(inventory, &lab.inventory); !status.ok()) return status;
  lab.inventory_path = inventory;
  absl::StatusOr<std::vector<proto::TestRunSpec>> spec_list = LoadSpecs(specs);
  if (!spec_list.ok()) return spec_list.status();
  lab.specs = *std::move(spec_list);
  if (absl::Status status = CheckLab(lab, specs); !status.ok()) return status;
  return lab;
}

absl::Status CheckLab(const LabConfig& lab, const std::string& specs_path) {
  const std::string& inv = lab.inventory_path;
  if (lab.inventory.tentacles().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(inv, ": field tentacles: none listed, so there is nothing to test on"));
  }
  if (lab.specs.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(specs_path, ": field spec: none listed, so there is nothing to run"));
  }
  std::set<std::string> labels;
  std::map<std::string, std::string> short_ids;  // "<serial4>-<BOARD>" -> label
  for (int i = 0; i < lab.inventory.tentacles_size(); ++i) {
    const proto::InventoryEntry& entry = lab.inventory.tentacles(i);
    std::string where = absl::StrCat(inv, ": tentacles[", i, "]");
    if (entry.label().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ".label: must be set"));
    }
    if (absl::Status status = CheckName(absl::StrCat(where, ".label"), entry.label(), false);
        !status.ok()) {
      return status;
    }
    where = absl::StrCat(inv, ": tentacle '", entry.label(), "'");
    if (!labels.insert(entry.label()).second) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": field label: duplicate label"));
    }
    // Test ids and result directories name a tentacle by its short id and board.
    auto [same, inserted] =
        short_ids.emplace(absl::StrCat(Serial4(entry), "-", entry.board()), entry.label());
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": field label: its short id '", Serial4(entry),
          "' (the label up to its first '-', or the last 4 characters of usb_serial) and board ",
          entry.board(), " are those of tentacle '", same->second,
          "', so their test ids and result directories would be the same; label tentacles "
          "<id>-<BOARD> with ids of their own"));
    }
    if (entry.type().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": field type: must be set"));
    }
    auto board = lab.boards.find(entry.board());
    if (board == lab.boards.end()) {
      std::vector<std::string> known;
      for (const auto& [name, unused] : lab.boards) known.push_back(name);
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": field board: unknown board '", entry.board(),
                       "' (known: ", absl::StrJoin(known, ", "), ")"));
    }
    if (absl::Status status = CheckFaults(where, entry.faults()); !status.ok()) return status;
    for (const std::string& variant : entry.variants()) {
      const auto& variants = board->second.variants();
      if (std::find(variants.begin(), variants.end(), variant) == variants.end()) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": field variants: board ", entry.board(), " has no variant '", variant, "'"));
      }
    }
  }
  std::set<std::string> spec_labels;
  for (int i = 0; i < static_cast<int>(lab.specs.size()); ++i) {
    const proto::TestRunSpec& spec = lab.specs[i];
    std::string where = absl::StrCat(specs_path, ": spec[", i, "] '", spec.label(), "'");
    if (spec.label().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": field label: must be set"));
    }
    if (absl::Status status = CheckName(absl::StrCat(specs_path, ": spec[", i, "]: field label"),
                                        spec.label(), false);
        !status.ok()) {
      return status;
    }
    if (!spec_labels.insert(spec.label()).second) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": field label: duplicate label"));
    }
    if (spec.harness().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": field harness: must be set"));
    }
    if (spec.fut().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": field fut: must be set"));
    }
    if (spec.timeout_s() <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": field timeout_s: must be > 0, got ", spec.timeout_s()));
    }
    if (spec.tentacles() != 0 && spec.tentacles() != 1 && spec.tentacles() != 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": field tentacles: must be 1 or 2 (DUT + reference), got ", spec.tentacles()));
    }
    if (absl::Status status = CheckSplit(spec, spec.split(), absl::StrCat(where, ": field split"));
        !status.ok()) {
      return status;
    }
    if (spec.shard_count() != 0 || spec.shard_index() != 0 || !spec.shard_of().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": fields shard_index, shard_count, shard_of: set by mptest (use split)"));
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> TentacleVariants(const proto::BoardDefinition& board,
                                          const proto::InventoryEntry& entry) {
  if (entry.variants().empty()) return {board.variants().begin(), board.variants().end()};
  return {entry.variants().begin(), entry.variants().end()};
}

}  // namespace mptest::sched
