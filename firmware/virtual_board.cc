// The virtual board's event loop and fault injection (see virtual_board.h).
#include "firmware/virtual_board.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/pty/control_signals.h"

namespace mptest::firmware {
namespace {

constexpr size_t kMaxQueuedOutput = 64 << 10;

void Log(absl::string_view message) {
  std::string line = absl::StrCat("virtual_board[", getpid(), "]: ", message, "\n");
  ssize_t ignored = write(2, line.data(), line.size());
  (void)ignored;
}

}  // namespace

VirtualBoard::VirtualBoard(BoardOptions options)
    : options_(std::move(options)),
      rng_(options_.faults.seed()),
      input_pacer_(options_.faults.line_bytes_per_second()),
      output_pacer_(options_.faults.line_bytes_per_second()) {}

VirtualBoard::~VirtualBoard() {
  interpreter_.Stop();
  if (!options_.link_path.empty()) unlink(options_.link_path.c_str());
}

double VirtualBoard::Roll() { return (rng_() >> 11) * (1.0 / 9007199254740992.0); }

bool VirtualBoard::OpenConsole() {
  if (options_.stdio) {
    in_fd_ = 0;
    out_fd_ = 1;
    if (isatty(0)) (void)pty::SetRawMode(0);
    fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
    fcntl(1, F_SETFL, fcntl(1, F_GETFL) | O_NONBLOCK);
    return true;
  }
  absl::StatusOr<pty::PtyPair> pair = pty::OpenPtyPair();
  if (!pair.ok()) {
    Log(absl::StrCat("cannot open a pty: ", pair.status().ToString()));
    return false;
  }
  master_ = std::move(pair->master);
  slave_ = std::move(pair->slave);
  fcntl(master_.get(), F_SETFL, O_NONBLOCK);
  in_fd_ = out_fd_ = master_.get();
  if (!options_.link_path.empty()) {
    if (absl::Status status = pty::PointLinkAt(options_.link_path, pair->slave_path);
        !status.ok()) {
      Log(status.ToString());
      return false;
    }
  }
  // Machine-readable announcement (the first line matches /dev/pts/N, as qemu's does, so
  // run-tests.py's execpty: target can use the board directly).
  fprintf(stderr, "mptest-virtual-board: pty %s pid %d\n", pair->slave_path.c_str(), getpid());
  fflush(stderr);
  return true;
}

void VirtualBoard::Boot() {
  interpreter_.Stop();
  machine_.reset();
  out_queue_.clear();
  executions_ = 0;
  state_ = State::kUnbootable;
  absl::StatusOr<VirtualImage> image = ReadImageFile(options_.flash_path);
  if (!image.ok()) {
    Log(absl::StrCat("unbootable: ", image.status().ToString()));
    return;
  }
  if (image->board != options_.board) {
    Log(absl::StrCat("unbootable: the image in ", options_.flash_path, " is for board '",
                     image->board, "', this board is '", options_.board, "'"));
    return;
  }
  interpreter_booted_ = false;
  if (absl::Status status = interpreter_.Start(options_.python, *image); !status.ok()) {
    Log(absl::StrCat("unbootable: ", status.ToString()));
    return;
  }
  ReplOptions repl;
  repl.banner = image->Banner();
  repl.refuse_raw_mode = options_.faults.refuse_raw_mode();
  repl.raw_paste = options_.raw_paste;
  repl.raw_paste_window = options_.raw_paste_window;
  machine_ = std::make_unique<ReplMachine>(this, repl);
  state_ = State::kBooting;
  boot_done_ = absl::Now() + absl::Seconds(options_.faults.boot_delay_s());
  Log(absl::StrCat("booting ", image->version, " (", image->board,
                   image->variant.empty() ? "" : "-", image->variant, ")"));
}

void VirtualBoard::DropLine() {
  Log("fault: dropping the line");
  interpreter_.Stop();
  machine_.reset();
  state_ = State::kDropped;
  out_queue_.clear();
  if (options_.stdio) {
    close(0);
    close(1);
    _exit(3);
  }
  if (!options_.link_path.empty()) unlink(options_.link_path.c_str());
  master_.reset();
  slave_.reset();
  in_fd_ = out_fd_ = -1;
}

void VirtualBoard::RunDeferred() {
  Deferred deferred = deferred_;
  deferred_ = Deferred::kNone;
  if (deferred == Deferred::kDropLine) DropLine();
  if (deferred == Deferred::kReboot) Boot();
}

void VirtualBoard::Emit(absl::string_view bytes) {
  double garble = options_.faults.garble_fraction();
  if (garble <= 0) {
    out_queue_.append(bytes.data(), bytes.size());
    return;
  }
  for (char c : bytes) {
    if (Roll() < garble) c = static_cast<char>(c ^ (1 + rng_() % 255));
    out_queue_.push_back(c);
  }
}

void VirtualBoard::Execute(const std::string& code, bool friendly) {
  ++executions_;
  const proto::VirtualFaults& faults = options_.faults;
  if (faults.hang_after_executions() > 0 && executions_ > faults.hang_after_executions()) {
    Log(absl::StrCat("fault: hung at execution ", executions_));
    state_ = State::kHung;
    return;
  }
  if (faults.drop_line_probability() > 0 && Roll() < faults.drop_line_probability()) {
    deferred_ = Deferred::kDropLine;
    return;
  }
  reset_this_execution_ =
      faults.reset_mid_output_probability() > 0 && Roll() < faults.reset_mid_output_probability();
  held_stdout_.clear();
  if (absl::Status status = interpreter_.Execute(code, friendly); !status.ok()) {
    Log(absl::StrCat("interpreter gone: ", status.ToString()));
    deferred_ = Deferred::kReboot;
  }
}

void VirtualBoard::SoftReset() {
  if (absl::Status status = interpreter_.SoftReset(); !status.ok()) {
    Log(absl::StrCat("interpreter gone: ", status.ToString()));
    deferred_ = Deferred::kReboot;
  }
}

void VirtualBoard::Interrupt() {
  if (options_.faults.ignore_interrupt()) {
    Log("fault: Ctrl-C ignored");
    return;
  }
  if (state_ == State::kRunning) interpreter_.Interrupt();
}

void VirtualBoard::PumpInput(size_t max_bytes) {
  char buffer[4096];
  for (;;) {
    ssize_t n = read(in_fd_, buffer, std::min(sizeof(buffer), max_bytes));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0 && options_.stdio) {
        Log("console closed");
        _exit(0);
      }
      return;
    }
    // Input is lost while the board boots, hangs or cannot boot, as on real hardware.
    if (state_ == State::kRunning && machine_) machine_->OnInput(absl::string_view(buffer, n));
    if (deferred_ != Deferred::kNone) return;
    input_pacer_.Consume(n);
    if (input_pacer_.limited()) return;  // one paced read per loop turn
  }
}

void VirtualBoard::PumpInterpreter() {
  std::vector<PythonInterpreter::Event> events;
  absl::Status status = interpreter_.ReadEvents(&events);
  for (const PythonInterpreter::Event& event : events) {
    if (state_ != State::kRunning || !machine_) break;
    switch (event.kind) {
      case PythonInterpreter::Event::Kind::kStdout:
        if (reset_this_execution_) {
          held_stdout_ += event.data;
        } else {
          machine_->OnExecutionOutput(event.data);
        }
        break;
      case PythonInterpreter::Event::Kind::kDone:
        if (reset_this_execution_) {
          reset_this_execution_ = false;
          machine_->OnExecutionOutput(held_stdout_.substr(0, held_stdout_.size() / 2));
          Log("fault: reset in the middle of output");
          std::string partial = std::move(out_queue_);
          Boot();
          out_queue_ = std::move(partial);
          return;
        }
        machine_->OnExecutionDone(event.data);
        break;
      case PythonInterpreter::Event::Kind::kSystemExit:
        reset_this_execution_ = false;
        machine_->OnExecutionOutput(held_stdout_);
        held_stdout_.clear();
        machine_->OnExecutionSystemExit();
        break;
      case PythonInterpreter::Event::Kind::kResetDone:
        machine_->OnSoftResetDone();
        break;
      case PythonInterpreter::Event::Kind::kBooted:
        interpreter_booted_ = true;
        break;
    }
  }
  if (!status.ok() && state_ != State::kDropped) {
    if (!interpreter_booted_) {
      // It died before it could run anything: rebooting would only loop.
      Log(absl::StrCat("unbootable: the interpreter ", options_.python, " died while starting"));
      interpreter_.Stop();
      machine_.reset();
      out_queue_.clear();  // the banner it queued: an unbootable board stays silent
      state_ = State::kUnbootable;
      return;
    }
    Log(absl::StrCat("the interpreter ended (", status.message(), "): hard reset"));
    Boot();
  }
}

void VirtualBoard::PumpOutput() {
  if (out_queue_.empty() || out_fd_ < 0) return;
  size_t allowed = std::min(out_queue_.size(), output_pacer_.Budget(absl::Now()));
  if (allowed == 0) return;
  ssize_t n = write(out_fd_, out_queue_.data(), allowed);
  if (n > 0) {
    out_queue_.erase(0, n);
    output_pacer_.Consume(n);
  }
}

int VirtualBoard::PollTimeoutMs() const {
  absl::Time now = absl::Now();
  absl::Duration wait = absl::Seconds(1);
  if (state_ == State::kBooting) wait = std::min(wait, boot_done_ - now);
  if (input_pacer_.limited()) wait = std::min(wait, absl::Milliseconds(2));
  return std::max<int64_t>(0, absl::ToInt64Milliseconds(absl::Ceil(wait, absl::Milliseconds(1))));
}

int VirtualBoard::Run() {
  pty::ControlSignals signals;
  if (!OpenConsole()) return 2;
  Boot();
  for (;;) {
    if (state_ == State::kBooting && absl::Now() >= boot_done_) {
      state_ = State::kRunning;
      machine_->Boot();
    }
    pollfd fds[5];
    int count = 0;
    fds[count++] = {signals.fd(), POLLIN, 0};
    const int lifeline_index = options_.lifeline_fd >= 0 ? count : -1;
    if (lifeline_index >= 0) fds[count++] = {options_.lifeline_fd, POLLIN, 0};
    int console_index = -1, interpreter_index = -1;
    const size_t input_budget = input_pacer_.Budget(absl::Now());
    if (in_fd_ >= 0) {
      console_index = count;
      short events = input_budget > 0 ? POLLIN : 0;
      if (!out_queue_.empty() && in_fd_ == out_fd_) events |= POLLOUT;
      fds[count++] = {in_fd_, events, 0};
    }
    if (out_fd_ >= 0 && out_fd_ != in_fd_ && !out_queue_.empty()) {
      fds[count++] = {out_fd_, POLLOUT, 0};
    }
    // Back-pressure: while the console is not taking output, the interpreter's prints block,
    // as on a board whose UART is busy.
    if (interpreter_.event_fd() >= 0 && state_ != State::kHung &&
        out_queue_.size() < kMaxQueuedOutput) {
      interpreter_index = count;
      fds[count++] = {interpreter_.event_fd(), POLLIN, 0};
    }
    int ready = poll(fds, count, PollTimeoutMs());
    if (!options_.link_path.empty() && pty::LinkDirectoryGone(options_.link_path)) {
      Log("the directory of --link is gone: stopping");
      return 0;
    }
    if (ready < 0 && errno != EINTR) {
      Log(absl::StrCat("poll: ", strerror(errno)));
      return 2;
    }
    if (ready > 0 && lifeline_index >= 0 && fds[lifeline_index].revents != 0) {
      Log("the process that started this board is gone: stopping");
      return 0;
    }
    if (fds[0].revents & POLLIN) {
      for (pty::ControlSignals::Event event : signals.Read()) {
        if (event == pty::ControlSignals::Event::kStop) {
          Log("stopping");
          return 0;
        }
        Log("power cycle");
        if (state_ == State::kDropped && !OpenConsole()) return 2;
        Boot();
      }
    }
    if (interpreter_index >= 0 && fds[interpreter_index].revents) PumpInterpreter();
    if (console_index >= 0 && in_fd_ >= 0 && (fds[console_index].revents & POLLIN)) {
      PumpInput(input_budget);
    }
    RunDeferred();
    PumpOutput();
  }
}

}  // namespace mptest::firmware
