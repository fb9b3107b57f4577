// FunctionName and CallableName (child_runner.h): a readable name for a target, for errors,
// logs and events.
// Registered targets use their registered name; other functions their symbol, demangled:
// from the dynamic symbol table (dladdr) when exported, else from the object file's full
// symbol table (.symtab), which also holds static and anonymous-namespace functions. The file
// is mapped, read and unmapped at once (no descriptor stays open), once per function.
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <typeinfo>

#include "absl/strings/str_cat.h"
#include "core/process/child_runner.h"
#include "core/process/exception_info.h"

namespace mptest::process {
namespace {

// The loaded object that contains `address`: its file and its load bias.
struct LoadedObject {
  std::string path;
  uintptr_t bias = 0;
  bool found = false;
};

LoadedObject FindObject(uintptr_t address) {
  struct Search {
    uintptr_t address;
    LoadedObject object;
  } search{address, {}};
  dl_iterate_phdr(
      [](struct dl_phdr_info* info, size_t, void* data) {
        auto* s = static_cast<Search*>(data);
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          uintptr_t start = info->dlpi_addr + ph.p_vaddr;
          if (ph.p_type == PT_LOAD && s->address >= start && s->address < start + ph.p_memsz) {
            // The main program has no name here; /proc/self/exe is its file.
            s->object.path = info->dlpi_name[0] == '\0' ? "/proc/self/exe" : info->dlpi_name;
            s->object.bias = info->dlpi_addr;
            s->object.found = true;
            return 1;
          }
        }
        return 0;
      },
      &search);
  return search.object;
}

// The (mangled) name of the function symbol at `offset` in the ELF image `image` of `size`
// bytes, from .symtab; "" if there is none.
std::string SymtabName(const char* image, size_t size, uintptr_t offset) {
  if (size < sizeof(ElfW(Ehdr)) || memcmp(image, ELFMAG, SELFMAG) != 0) return "";
  const auto* header = reinterpret_cast<const ElfW(Ehdr)*>(image);
  if (header->e_shoff == 0 || header->e_shoff + header->e_shnum * sizeof(ElfW(Shdr)) > size) {
    return "";
  }
  const auto* sections = reinterpret_cast<const ElfW(Shdr)*>(image + header->e_shoff);
  for (int i = 0; i < header->e_shnum; ++i) {
    const ElfW(Shdr)& symtab = sections[i];
    if (symtab.sh_type != SHT_SYMTAB || symtab.sh_link >= header->e_shnum) continue;
    const ElfW(Shdr)& strtab = sections[symtab.sh_link];
    if (symtab.sh_offset + symtab.sh_size > size || strtab.sh_offset + strtab.sh_size > size) {
      return "";
    }
    const auto* symbols = reinterpret_cast<const ElfW(Sym)*>(image + symtab.sh_offset);
    for (size_t j = 0; j < symtab.sh_size / sizeof(ElfW(Sym)); ++j) {
      const ElfW(Sym)& symbol = symbols[j];
      const bool is_function = (symbol.st_info & 0xf) == STT_FUNC;  // ELF64_ST_TYPE
      if (is_function && symbol.st_value == offset && symbol.st_name < strtab.sh_size) {
        const char* name = image + strtab.sh_offset + symbol.st_name;
        return std::string(name, strnlen(name, strtab.sh_size - symbol.st_name));
      }
    }
  }
  return "";
}

std::string NameFromSymtab(const void* function) {
  uintptr_t address = reinterpret_cast<uintptr_t>(function);
  LoadedObject object = FindObject(address);
  if (!object.found) return "";
  int fd = open(object.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  struct stat st;
  void* image = MAP_FAILED;
  if (fstat(fd, &st) == 0 && st.st_size > 0) {
    image = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  }
  close(fd);
  if (image == MAP_FAILED) return "";
  std::string name = SymtabName(static_cast<const char*>(image), static_cast<size_t>(st.st_size),
                                address - object.bias);
  munmap(image, static_cast<size_t>(st.st_size));
  return name;
}

// "ns::(anonymous namespace)::Add(int, int)" -> "Add"; "Multi<1>(int)" -> "Multi<1>".
std::string ShortName(std::string name) {
  if (!name.empty() && name.back() == ')') {  // drop the parameter list
    int depth = 0;
    for (size_t i = name.size(); i-- > 0;) {
      depth += name[i] == ')' ? 1 : name[i] == '(' ? -1 : 0;
      if (depth == 0) {
        name.resize(i);
        break;
      }
    }
  }
  // Drop the qualification: the last "::" outside template arguments.
  int angle = 0;
  for (size_t i = name.size(); i-- > 1;) {
    angle += name[i] == '>' ? 1 : name[i] == '<' ? -1 : 0;
    if (angle == 0 && name[i] == ':' && name[i - 1] == ':') return name.substr(i + 1);
  }
  return name;
}

std::string ComputeName(const void* function) {
  Dl_info info;
  if (dladdr(function, &info) != 0 && info.dli_sname != nullptr && info.dli_saddr == function) {
    return ShortName(Demangle(info.dli_sname));
  }
  std::string mangled = NameFromSymtab(function);
  if (!mangled.empty()) return ShortName(Demangle(mangled.c_str()));
  return absl::StrCat("target@", absl::Hex(reinterpret_cast<uintptr_t>(function)));
}

}  // namespace

std::string CallableName(const std::type_info& type) {
  std::string name = Demangle(type.name());
  static constexpr char kAnonymous[] = "(anonymous namespace)::";
  for (size_t at; (at = name.find(kAnonymous)) != std::string::npos;) {
    name.erase(at, sizeof(kAnonymous) - 1);
  }
  return name;
}

std::string FunctionName(const void* function) {
  std::string registered = SpawnTargetName(function);
  if (!registered.empty()) return registered;
  static std::mutex mu;
  static auto* names = new std::map<const void*, std::string>;
  std::lock_guard<std::mutex> lock(mu);
  auto it = names->find(function);
  if (it == names->end()) it = names->emplace(function, ComputeName(function)).first;
  return it->second;
}

}  // namespace mptest::process
