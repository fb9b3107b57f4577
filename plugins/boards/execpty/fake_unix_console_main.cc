// A minimal stand-in for MicroPython's unix port on a raw pty, for the relay benchmark: starts
// in the friendly REPL, enters the raw REPL on Ctrl-A, answers "OK\x04\x04>" to any code, and
// EXITS on Ctrl-D at the empty raw prompt (the unix port's soft reset). It starts in well under
// a millisecond, so the benchmark measures the relay, not the command.
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

namespace {

void Out(const char* text) {
  ssize_t ignored = write(1, text, strlen(text));
  (void)ignored;
}

}  // namespace

int main() {
  Out("MicroPython fake; linux version\nUse Ctrl-D to exit, Ctrl-E for paste mode\n>>> ");
  bool raw = false;
  bool line_empty = true;
  char c;
  while (read(0, &c, 1) == 1) {
    if (c == '\x01') {
      raw = true;
      line_empty = true;
      Out("\r\n>>> \r\nraw REPL; CTRL-B to exit\r\n>");
    } else if (!raw) {
      if (c == '\r') Out("\n>>> ");
    } else if (c == '\x02') {
      raw = false;
      Out("\n>>> ");
    } else if (c == '\x04') {
      if (line_empty) {
        Out("OK\r\n");
        return 0;
      }
      Out("OK\x04\x04>");
      line_empty = true;
    } else if (c != '\x03') {
      line_empty = false;
    }
  }
  return 0;
}
