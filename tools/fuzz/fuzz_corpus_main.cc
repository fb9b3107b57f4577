// Replays a fuzz corpus without libFuzzer: every file named on the command line (or found in a
// directory named there) is passed to LLVMFuzzerTestOneInput once. Linked into every
// mptest_fuzz_test (tools/fuzz/fuzz.bzl) so corpora run as regression tests under g++.
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void CollectInputs(const std::string& path, std::vector<std::string>* inputs) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) {
    fprintf(stderr, "fuzz_corpus_main: %s does not exist\n", path.c_str());
    return;
  }
  if (!S_ISDIR(info.st_mode)) {
    inputs->push_back(path);
    return;
  }
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return;
  while (dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") CollectInputs(path + "/" + name, inputs);
  }
  closedir(dir);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> inputs;
  for (int i = 1; i < argc; ++i) CollectInputs(argv[i], &inputs);
  if (inputs.empty()) {
    fprintf(stderr, "fuzz_corpus_main: no corpus inputs (arguments: files or directories)\n");
    return 1;
  }
  for (const std::string& path : inputs) {
    if (path.size() >= 12 && path.compare(path.size() - 12, 12, "/BUILD.bazel") == 0) continue;
    std::ifstream in(path, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<uint8_t> bytes(data.begin(), data.end());  // exact-size heap copy for ASan
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  }
  printf("fuzz_corpus_main: %zu inputs passed\n", inputs.size());
  return 0;
}
