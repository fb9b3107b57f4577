// The execpty relay (see pty_relay.h).
#include "plugins/boards/execpty/pty_relay.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/pty/control_signals.h"

namespace mptest::boards {
namespace {

void Log(absl::string_view message) {
  std::string line = absl::StrCat("execpty_relay[", getpid(), "]: ", message, "\n");
  ssize_t ignored = write(2, line.data(), line.size());
  (void)ignored;
}

bool EndsWithRawPrompt(absl::string_view text) {
  return absl::EndsWith(text, "raw REPL; CTRL-B to exit\r\n>") ||
         absl::EndsWith(text, "raw REPL; CTRL-B to exit\r\r\n>");
}

}  // namespace

PtyRelay::~PtyRelay() {
  StopCommand();
  if (!options_.link_path.empty()) unlink(options_.link_path.c_str());
}

bool PtyRelay::StartCommand() {
  absl::StatusOr<pty::PtyProcess> process = pty::SpawnOnPty(options_.argv);
  if (!process.ok()) {
    Log(absl::StrCat("cannot start the command: ", process.status().ToString()));
    return false;
  }
  command_pid_ = process->pid;
  command_master_ = std::move(process->master);
  fcntl(command_master_.get(), F_SETFL, O_NONBLOCK);
  command_started_ = absl::Now();
  client_wrote_since_start_ = false;
  line_ends_.Reset();
  Log(absl::StrCat("started pid ", command_pid_, ": ", absl::StrJoin(options_.argv, " ")));
  if (options_.announced_pty) return OpenAnnouncedPty();
  return true;
}

bool PtyRelay::OpenAnnouncedPty() {
  absl::Time deadline = absl::Now() + options_.announce_timeout;
  std::string seen;
  for (;;) {
    size_t at = seen.find("/dev/pts/");
    if (at != std::string::npos) {
      size_t end = at + 9;
      while (end < seen.size() && isdigit(static_cast<unsigned char>(seen[end]))) ++end;
      if (end > at + 9 && end < seen.size()) {
        std::string path = seen.substr(at, end - at);
        absl::StatusOr<pty::UniqueFd> fd = pty::OpenTty(path);
        if (!fd.ok()) {
          Log(absl::StrCat("cannot open the announced pty: ", fd.status().ToString()));
          return false;
        }
        announced_ = std::move(*fd);
        Log(absl::StrCat("serving the announced pty ", path));
        return true;
      }
    }
    absl::StatusOr<std::string> chunk = pty::ReadSome(command_master_.get(), deadline);
    if (!chunk.ok()) {
      Log(absl::StrCat("the command announced no /dev/pts/N: ", chunk.status().ToString(),
                       "; it printed: ", seen));
      return false;
    }
    seen += *chunk;
  }
}

void PtyRelay::Pause() {
  if (paused_ || command_pid_ <= 0) return;
  kill(-command_pid_, SIGSTOP);
  paused_ = true;
  Log("no client has the console open: command paused");
}

void PtyRelay::Resume() {
  if (!paused_) return;
  if (command_pid_ > 0) kill(-command_pid_, SIGCONT);
  paused_ = false;
  Log("a client opened the console: command continued");
}

void PtyRelay::ReadOpenEvents() {
  alignas(inotify_event) char events[4096];
  for (;;) {
    ssize_t n = read(watch_.get(), events, sizeof(events));
    if (n <= 0) break;
    for (ssize_t at = 0; at < n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(events + at);
      if (event->mask & IN_OPEN) ++openers_;
      if ((event->mask & (IN_CLOSE_WRITE | IN_CLOSE_NOWRITE)) && openers_ > 0) --openers_;
      at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
    }
  }
  if (openers_ > 0) {
    unwatched_since_ = absl::InfiniteFuture();
    Resume();
  } else if (unwatched_since_ == absl::InfiniteFuture()) {
    unwatched_since_ = absl::Now();
  }
}

void PtyRelay::StopCommand() {
  paused_ = false;  // SIGKILL ends a stopped process too
  announced_.reset();
  command_master_.reset();
  if (command_pid_ > 0) {
    kill(-command_pid_, SIGKILL);  // the command leads its own session and process group
    kill(command_pid_, SIGKILL);
    while (waitpid(command_pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  command_pid_ = -1;
}

void PtyRelay::ToClient(absl::string_view bytes) {
  (void)pty::WriteAll(client_master_.get(), bytes, absl::Now() + absl::Seconds(5));
}

void PtyRelay::BoardToClient(absl::string_view bytes) {
  if (options_.unix_line_ends) {
    ToClient(line_ends_.FromBoard(bytes));
  } else {
    ToClient(bytes);
  }
}

bool PtyRelay::Restart(int status) {
  const bool died_on_its_own =
      !client_wrote_since_start_ && absl::Now() - command_started_ < absl::Seconds(1);
  if (died_on_its_own) {  // no tight loop for a command that cannot run
    next_restart_delay_ =
        std::clamp(next_restart_delay_ * 2, options_.restart_delay, options_.max_restart_delay);
    Log(absl::StrCat("the command ended by itself: restarting in ",
                     absl::FormatDuration(next_restart_delay_)));
    absl::SleepFor(next_restart_delay_);
  } else {
    next_restart_delay_ = absl::ZeroDuration();
  }
  if (WIFSIGNALED(status)) {
    ToClient(absl::StrCat("\r\n[mptest-execpty: the board's process was killed by signal ",
                          WTERMSIG(status), " (", strsignal(WTERMSIG(status)),
                          "): restarted]\r\nsoft reboot\r\n"));
  } else {
    ToClient("MPY: soft reboot\r\n");
  }
  if (!StartCommand()) return false;
  if (client_in_raw_ && !ReenterRawRepl()) client_in_raw_ = false;
  return true;
}

bool PtyRelay::ReenterRawRepl() {
  absl::Time deadline = absl::Now() + options_.raw_reentry_timeout;
  if (!pty::WriteAll(board_fd(), "\r\x01", deadline).ok()) return false;
  std::string seen;
  while (!EndsWithRawPrompt(seen)) {
    absl::StatusOr<std::string> chunk = pty::ReadSome(board_fd(), deadline);
    if (!chunk.ok()) {
      Log(absl::StrCat("no raw REPL after restart: ", chunk.status().ToString()));
      return false;
    }
    seen += *chunk;
  }
  ToClient("raw REPL; CTRL-B to exit\r\n>");
  return true;
}

int PtyRelay::Run() {
  pty::ControlSignals signals;

  absl::StatusOr<pty::PtyPair> pair = pty::OpenPtyPair();
  if (!pair.ok()) {
    Log(pair.status().ToString());
    return 2;
  }
  client_master_ = std::move(pair->master);
  client_slave_ = std::move(pair->slave);
  fcntl(client_master_.get(), F_SETFL, O_NONBLOCK);
  if (!StartCommand()) return 2;
  if (!options_.link_path.empty()) {
    if (absl::Status status = pty::PointLinkAt(options_.link_path, pair->slave_path);
        !status.ok()) {
      Log(status.ToString());
      return 2;
    }
  }
  fprintf(stderr, "mptest-execpty: pty %s pid %d\n", pair->slave_path.c_str(), getpid());
  fflush(stderr);
  if (options_.pause_when_unwatched != absl::InfiniteDuration()) {
    watch_ = pty::UniqueFd(inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!watch_.valid() || inotify_add_watch(watch_.get(), pair->slave_path.c_str(),
                                             IN_OPEN | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE) < 0) {
      Log(absl::StrCat("cannot watch ", pair->slave_path, " (", strerror(errno),
                       "): the command is never paused"));
      watch_.reset();
    } else {
      unwatched_since_ = absl::Now();  // the relay's own descriptor is not a client
    }
  }

  char buffer[4096];
  for (;;) {
    pollfd fds[6] = {{signals.fd(), POLLIN, 0},
                     {client_master_.get(), POLLIN, 0},
                     {command_master_.valid() ? command_master_.get() : -1, POLLIN, 0},
                     {announced_.valid() ? announced_.get() : -1, POLLIN, 0},
                     {watch_.valid() ? watch_.get() : -1, POLLIN, 0},
                     {options_.lifeline_fd, POLLIN, 0}};
    int timeout_ms = 1000;
    if (watch_.valid() && !paused_ && openers_ == 0) {
      const absl::Duration left = unwatched_since_ + options_.pause_when_unwatched - absl::Now();
      timeout_ms =
          static_cast<int>(std::clamp<int64_t>(absl::ToInt64Milliseconds(left) + 1, 0, timeout_ms));
    }
    if (poll(fds, 6, timeout_ms) < 0 && errno != EINTR) return 2;
    if (fds[5].revents != 0) {
      Log("the process that started this relay is gone: stopping");
      return 0;
    }
    if (fds[4].revents & POLLIN) ReadOpenEvents();
    if (watch_.valid() && openers_ == 0 && !paused_ &&
        absl::Now() - unwatched_since_ >= options_.pause_when_unwatched) {
      Pause();
    }
    if (!options_.link_path.empty() && pty::LinkDirectoryGone(options_.link_path)) {
      Log("the directory of --link is gone: stopping");
      return 0;
    }
    bool exited = false;
    if (fds[0].revents & POLLIN) {
      for (pty::ControlSignals::Event event : signals.Read()) {
        if (event == pty::ControlSignals::Event::kStop) {
          Log("stopping");
          return 0;
        }
        Log("power cycle: restarting the command");
        StopCommand();
        client_in_raw_ = false;
        if (!StartCommand()) return 2;
      }
    }
    if (fds[1].revents & POLLIN) {
      Resume();  // input from a client the watch has not reported yet
      ssize_t n = read(client_master_.get(), buffer, sizeof(buffer));
      if (n > 0 && command_master_.valid()) {
        for (ssize_t i = 0; i < n; ++i) {
          if (buffer[i] == '\x01') client_in_raw_ = true;
          if (buffer[i] == '\x02') client_in_raw_ = false;
        }
        client_wrote_since_start_ = true;
        absl::string_view bytes(buffer, n);
        std::string translated;
        if (options_.unix_line_ends) bytes = translated = line_ends_.FromClient(bytes);
        (void)pty::WriteAll(board_fd(), bytes, absl::Now() + absl::Seconds(5));
      }
    }
    if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(command_master_.get(), buffer, sizeof(buffer));
      if (n > 0 && announced_.valid()) {
        Log(absl::StrCat("command output: ", absl::string_view(buffer, n)));
      } else if (n > 0) {
        BoardToClient(absl::string_view(buffer, n));
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        exited = true;
      }
    }
    if (fds[3].revents & POLLIN) {
      ssize_t n = read(announced_.get(), buffer, sizeof(buffer));
      if (n > 0) BoardToClient(absl::string_view(buffer, n));
    }
    if (exited) {
      int status = 0;
      while (waitpid(command_pid_, &status, 0) < 0 && errno == EINTR) {
      }
      command_pid_ = -1;
      command_master_.reset();
      announced_.reset();
      Log(absl::StrCat("the command ended (status ", status, ")"));
      if (!options_.restart_on_exit) {
        return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
      }
      if (!Restart(status)) return 2;
    }
  }
}

}  // namespace mptest::boards
