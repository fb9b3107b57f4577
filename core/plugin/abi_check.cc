// Descriptor checks: see abi_check.h.
#include "core/plugin/abi_check.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace mptest::plugin {
namespace {

template <size_t N>
bool AllNull(void* const (&slots)[N]) {
  for (void* slot : slots) {
    if (slot != nullptr) return false;
  }
  return true;
}

// The slots still reserved (a table whose first slots became optional functions has fewer).
template <size_t N>
absl::Status ReservedMustBeNull(absl::string_view table, void* const (&slots)[N]) {
  if (AllNull(slots)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      table, " has non-NULL reserved slots: it was built for a newer ABI than it declares"));
}

absl::Status Required(absl::string_view table, absl::string_view function, const void* pointer) {
  if (pointer != nullptr) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(table, ".", function, " is NULL (required)"));
}

absl::Status TableSize(absl::string_view table, uint32_t declared, size_t expected) {
  if (declared == expected) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(table, ".struct_size is ", declared, ", ABI ",
                                                 MPTEST_PLUGIN_ABI_VERSION, " needs ", expected));
}

absl::Status CheckBuilder(const mptest_plugin_builder& table) {
  absl::Status status = TableSize("builder", table.struct_size, sizeof(table));
  if (status.ok())
    status = Required("builder", "build", reinterpret_cast<const void*>(table.build));
  if (status.ok()) status = ReservedMustBeNull("builder", table.reserved);
  return status;
}

absl::Status CheckBoardDriver(const mptest_plugin_board_driver& table) {
  absl::Status status = TableSize("board_driver", table.struct_size, sizeof(table));
  const std::pair<const char*, const void*> functions[] = {
      {"discover", reinterpret_cast<const void*>(table.discover)},
      {"start", reinterpret_cast<const void*>(table.start)},
      {"power_cycle", reinterpret_cast<const void*>(table.power_cycle)},
      {"flash", reinterpret_cast<const void*>(table.flash)},
      {"stop", reinterpret_cast<const void*>(table.stop)},
  };
  for (const auto& [name, pointer] : functions) {
    if (status.ok()) status = Required("board_driver", name, pointer);
  }
  if (status.ok()) status = ReservedMustBeNull("board_driver", table.reserved);
  return status;
}

absl::Status CheckHarness(const mptest_plugin_harness& table) {
  absl::Status status = TableSize("harness", table.struct_size, sizeof(table));
  if (status.ok()) status = Required("harness", "run", reinterpret_cast<const void*>(table.run));
  if (status.ok()) status = ReservedMustBeNull("harness", table.reserved);
  return status;
}

}  // namespace

bool IsValidPluginName(absl::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_') return false;
  }
  return true;
}

absl::Status CheckDescriptor(const mptest_plugin_descriptor* descriptor) {
  if (descriptor == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(MPTEST_PLUGIN_ENTRY_SYMBOL, "() returned NULL"));
  }
  // The version is the one field every ABI agrees on; nothing else is read before it matches.
  if (descriptor->abi_version != MPTEST_PLUGIN_ABI_VERSION) {
    return absl::FailedPreconditionError(absl::StrCat("built for ABI ", descriptor->abi_version,
                                                      ", this mptest supports ",
                                                      MPTEST_PLUGIN_ABI_VERSION));
  }
  if (descriptor->struct_size != sizeof(mptest_plugin_descriptor)) {
    return absl::InvalidArgumentError(
        absl::StrCat("descriptor struct_size is ", descriptor->struct_size, ", ABI ",
                     MPTEST_PLUGIN_ABI_VERSION, " needs ", sizeof(mptest_plugin_descriptor)));
  }
  if (descriptor->name == nullptr || !IsValidPluginName(descriptor->name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "plugin name ",
        descriptor->name == nullptr ? "is NULL"
                                    : absl::StrCat("'", descriptor->name, "' is invalid"),
        ": expected [a-z0-9_]+, at most 64 characters"));
  }
  if (descriptor->version == nullptr) {
    return absl::InvalidArgumentError("descriptor.version is NULL (required)");
  }
  absl::Status status =
      Required("descriptor", "init", reinterpret_cast<const void*>(descriptor->init));
  if (status.ok()) status = ReservedMustBeNull("descriptor", descriptor->reserved);
  if (!status.ok()) return status;
  if (descriptor->builder == nullptr && descriptor->board_driver == nullptr &&
      descriptor->harness == nullptr) {
    return absl::InvalidArgumentError(
        "the plugin provides nothing: builder, board_driver and harness are all NULL");
  }
  if (descriptor->builder != nullptr) status = CheckBuilder(*descriptor->builder);
  if (status.ok() && descriptor->board_driver != nullptr) {
    status = CheckBoardDriver(*descriptor->board_driver);
  }
  if (status.ok() && descriptor->harness != nullptr) status = CheckHarness(*descriptor->harness);
  return status;
}

std::vector<std::string> DescriptorKinds(const mptest_plugin_descriptor& descriptor) {
  std::vector<std::string> kinds;
  if (descriptor.builder != nullptr) kinds.push_back("builder");
  if (descriptor.board_driver != nullptr) kinds.push_back("board_driver");
  if (descriptor.harness != nullptr) kinds.push_back("harness");
  return kinds;
}

}  // namespace mptest::plugin
