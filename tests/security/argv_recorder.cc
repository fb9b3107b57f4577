// A stand-in program for the security tests: appends its argv to the file named by its first
// argument (each record: the argument count, then each argument as <length>:<bytes>\n, so
// spaces, quotes and newlines inside an argument stay visible), then exits 0, or with
// --serve stays alive reading stdin until end of file (a silent board on a console).
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  FILE* out = fopen(argv[1], "a");
  if (out == nullptr) return 3;
  fprintf(out, "%d\n", argc);
  bool serve = false;
  for (int i = 0; i < argc; ++i) {
    fprintf(out, "%zu:%s\n", strlen(argv[i]), argv[i]);
    if (strcmp(argv[i], "--serve") == 0) serve = true;
  }
  fclose(out);
  if (serve) {
    char buffer[256];
    while (read(STDIN_FILENO, buffer, sizeof(buffer)) > 0) {
    }
  }
  return 0;
}
