// One persistent CPython process per virtual board, running board_driver.py: executes code,
// streams its stdout back, reports the MicroPython-style traceback, clears state on soft reset.
#ifndef MPTEST_FIRMWARE_PYTHON_INTERPRETER_H_
#define MPTEST_FIRMWARE_PYTHON_INTERPRETER_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "core/pty/pty.h"
#include "firmware/image.h"

namespace mptest::firmware {

class PythonInterpreter {
 public:
  // One message from the interpreter.
  struct Event {
    enum class Kind { kStdout, kDone, kSystemExit, kResetDone, kBooted };
    Kind kind;
    std::string data;  // stdout bytes (kStdout) or the traceback, "" if none (kDone)
  };

  PythonInterpreter() = default;
  PythonInterpreter(const PythonInterpreter&) = delete;
  PythonInterpreter& operator=(const PythonInterpreter&) = delete;
  ~PythonInterpreter() { Stop(); }

  // Starts `python` (e.g. /usr/bin/python3) with the driver script, identifying as `image`.
  // Stops a previous process first. The child dies with this process (PR_SET_PDEATHSIG).
  absl::Status Start(const std::string& python, const VirtualImage& image);
  // Kills and reaps the process. Idempotent.
  void Stop();

  absl::Status Execute(absl::string_view code, bool friendly);
  absl::Status SoftReset();
  void Interrupt();  // SIGINT: KeyboardInterrupt in the running code

  // The descriptor to poll for events; -1 when not running.
  int event_fd() const { return events_.get(); }
  pid_t pid() const { return pid_; }
  // Reads what is available and appends complete events. Unavailable when the process died.
  absl::Status ReadEvents(std::vector<Event>* events);

 private:
  absl::Status Send(char kind, absl::string_view payload);

  pid_t pid_ = -1;
  pty::UniqueFd commands_;
  pty::UniqueFd events_;
  std::string partial_;
};

}  // namespace mptest::firmware

#endif  // MPTEST_FIRMWARE_PYTHON_INTERPRETER_H_
