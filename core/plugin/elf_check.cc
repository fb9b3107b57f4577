// ELF sanity checks before dlopen: see elf_check.h.
#include "core/plugin/elf_check.h"

#include <elf.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "absl/strings/str_cat.h"

namespace mptest::plugin {
namespace {

absl::Status Bad(const std::string& path, const std::string& what) {
  return absl::FailedPreconditionError(absl::StrCat(path, ": ", what));
}

#if defined(__x86_64__)
constexpr Elf64_Half kMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr Elf64_Half kMachine = EM_AARCH64;
#else
#error "add this machine's EM_ value"
#endif

}  // namespace

absl::Status CheckElfSharedObject(const std::string& path) {
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  if (!file) return Bad(path, absl::StrCat("cannot open: ", std::strerror(errno)));
  const uint64_t size = static_cast<uint64_t>(file.tellg());
  file.seekg(0);
  Elf64_Ehdr header;
  if (size < sizeof(header) || !file.read(reinterpret_cast<char*>(&header), sizeof(header))) {
    return Bad(path,
               absl::StrCat("not a shared object: ", size, " bytes, too short for an ELF header"));
  }
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0) {
    return Bad(path, "not a shared object: no ELF magic at the start of the file");
  }
  if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_machine != kMachine) {
    return Bad(path, "an ELF file for another machine or word size");
  }
  if (header.e_type != ET_DYN) {
    return Bad(path, absl::StrCat("an ELF file of type ", header.e_type,
                                  ", not a shared object (ET_DYN)"));
  }
  const auto truncated = [&](const std::string& part, uint64_t end) {
    return Bad(path,
               absl::StrCat("truncated: the file has ", size, " bytes, ", part, " needs ", end));
  };
  const uint64_t program_headers_end =
      header.e_phoff + static_cast<uint64_t>(header.e_phnum) * sizeof(Elf64_Phdr);
  if (header.e_phentsize != sizeof(Elf64_Phdr) || program_headers_end > size) {
    return truncated("the program header table", program_headers_end);
  }
  std::vector<Elf64_Phdr> segments(header.e_phnum);
  file.seekg(static_cast<std::streamoff>(header.e_phoff));
  file.read(reinterpret_cast<char*>(segments.data()),
            static_cast<std::streamsize>(segments.size() * sizeof(Elf64_Phdr)));
  if (!file) return truncated("the program header table", program_headers_end);
  for (size_t i = 0; i < segments.size(); ++i) {
    const uint64_t end = segments[i].p_offset + segments[i].p_filesz;
    if (segments[i].p_type == PT_LOAD && end > size) {
      return truncated(absl::StrCat("loadable segment ", i), end);
    }
  }
  const uint64_t section_headers_end =
      header.e_shoff + static_cast<uint64_t>(header.e_shnum) * sizeof(Elf64_Shdr);
  if (header.e_shoff != 0 && section_headers_end > size) {
    return truncated("the section header table", section_headers_end);
  }
  return absl::OkStatus();
}

}  // namespace mptest::plugin
