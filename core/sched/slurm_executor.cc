// SlurmExecutor: srun per remote test run, frames back (see slurm_executor.h).
#include "core/sched/slurm_executor.h"

#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/process/subprocess.h"
#include "core/report/atomic_file.h"
#include "core/sched/record_io.h"
#include "glog/logging.h"

namespace mptest::sched {
namespace {

// What srun's stderr says about the job's end, without its "srun: " prefix: its "Node failure"
// line, else its last "error:" line, else its last line.
std::string SrunSays(const std::string& stderr_path) {
  std::optional<std::string> text = report::TryReadFile(stderr_path, 1 << 20);
  if (!text) return "";
  std::string last, last_error, node_failure;
  for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipWhitespace())) {
    line = absl::StripPrefix(absl::StripAsciiWhitespace(line), "srun: ");
    last = std::string(line);
    if (absl::StrContains(line, "error")) last_error = last;
    if (node_failure.empty() && absl::StrContains(line, "Node failure")) node_failure = last;
  }
  return !node_failure.empty() ? node_failure : !last_error.empty() ? last_error : last;
}

// A worker file's path is relative and stays inside the results directory.
bool SafeRelativePath(absl::string_view path) {
  if (path.empty() || path.front() == '/') return false;
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part == ".." || part.empty()) return false;
  }
  return true;
}

}  // namespace

SlurmExecutor::SlurmExecutor(SlurmOptions options, std::unique_ptr<Executor> local,
                             int remote_capacity)
    : options_(std::move(options)), local_(std::move(local)), remote_capacity_(remote_capacity) {}

SlurmExecutor::~SlurmExecutor() {
  for (auto& [id, remote] : remotes_) {
    if (remote->pid > 0) {
      kill(-remote->pid, SIGKILL);
      waitpid(remote->pid, nullptr, 0);
    }
  }
}

int SlurmExecutor::running() const {
  return local_->running() + static_cast<int>(remotes_.size() + failed_starts_.size());
}

std::string SlurmExecutor::TimeLimit(absl::Duration deadline) const {
  const double seconds =
      absl::ToDoubleSeconds(deadline + options_.deadline_margin + options_.kill_grace);
  return absl::StrCat(std::max(1, static_cast<int>(std::ceil(seconds / 60.0))));
}

int SlurmExecutor::Start(JobSpec job) {
  const int id = next_id_++;
  if (!job.remote) {
    local_ids_[local_->Start(std::move(job))] = id;
    return id;
  }
  auto remote = std::make_unique<Remote>();
  remote->id = id;
  remote->name = job.name;
  remote->host = job.remote->host;
  remote->deadline = job.deadline;
  remote->submitted = Now();
  Submit(*remote, *job.remote);
  if (remote->pid < 0) {
    JobDone done;
    done.id = id;
    done.status = JobDone::Status::kCrashed;
    done.detail = remote->stream_error;
    done.start = done.end = Now();
    failed_starts_.push_back(std::move(done));
    return id;
  }
  remotes_[id] = std::move(remote);
  return id;
}

void SlurmExecutor::Submit(Remote& remote, const RemoteJob& job) {
  if (!job.error.empty()) {
    remote.stream_error = job.error;
    return;
  }
  const std::string base = absl::StrCat(options_.log_dir, "/slurm-", remote.id);
  remote.input_path = base + ".input";
  const std::string& input_path = remote.input_path;
  remote.stderr_path = base + ".srun.log";
  std::string framed;
  bus::AppendFrame(job.input, &framed);
  if (absl::Status status = report::WriteFileAtomically(input_path, framed); !status.ok()) {
    remote.stream_error = std::string(status.message());
    return;
  }
  process::CommandOptions command;
  command.argv = {options_.srun, absl::StrCat("--job-name=mptest:", remote.name), "--nodes=1",
                  "--ntasks=1", absl::StrCat("--time=", TimeLimit(remote.deadline))};
  if (!job.host.empty()) command.argv.push_back(absl::StrCat("--nodelist=", job.host));
  if (!job.gres.empty()) {
    command.argv.push_back(absl::StrCat("--gres=", absl::StrJoin(job.gres, ",")));
  }
  for (const std::string& arg : options_.srun_args) command.argv.push_back(arg);
  command.argv.push_back("--");
  for (const std::string& arg : options_.worker) command.argv.push_back(arg);
  command.stdin_path = input_path;
  command.stderr_path = remote.stderr_path;
  absl::StatusOr<process::StartedCommand> started = process::StartCommand(command);
  if (!started.ok()) {
    remote.stream_error = absl::StrCat("cannot run srun for ", remote.name, " on ", job.host, ": ",
                                       started.status().message());
    return;
  }
  remote.pid = started->pid;
  remote.out.reset(started->output_fd);
  LOG(INFO) << remote.name << ": srun (pid " << remote.pid << ") for "
            << absl::StrJoin(job.tentacles, ", ") << " on " << job.host;
}

void SlurmExecutor::Handle(Remote& remote, const proto::WorkerMessage& message) {
  switch (message.kind_case()) {
    case proto::WorkerMessage::kHello:
      remote.allocated = Now();
      remote.job_id = message.hello().slurm_job_id();
      if (!message.hello().host().empty()) remote.host = message.hello().host();
      LOG(INFO) << remote.name << ": running on " << remote.host << " as Slurm job "
                << remote.job_id << " after "
                << absl::FormatDuration(*remote.allocated - remote.submitted) << " in the queue";
      break;
    case proto::WorkerMessage::kFile: {
      const proto::WorkerFile& file = message.file();
      if (!SafeRelativePath(file.path())) {
        remote.stream_error =
            absl::StrCat("the worker sent a file outside the results: '", file.path(), "'");
        break;
      }
      const std::string path = absl::StrCat(options_.results_dir, "/", file.path());
      absl::Status status = MakeDirs(path.substr(0, path.rfind('/')));
      if (status.ok()) status = report::WriteFileAtomically(path, file.data());
      if (status.ok() && (file.mode() & 0111) != 0) chmod(path.c_str(), file.mode() & 0777);
      if (!status.ok()) remote.stream_error = std::string(status.message());
      break;
    }
    case proto::WorkerMessage::kDone:
      remote.done = message.done();
      break;
    case proto::WorkerMessage::kError:
      remote.error = message.error();
      break;
    case proto::WorkerMessage::kEvent:
      if (options_.bus != nullptr) options_.bus->Publish(message.event());
      break;
    default:
      remote.stream_error = "the worker sent a message of an unknown kind";
  }
}

bool SlurmExecutor::Pump(Remote& remote) {
  absl::StatusOr<bool> open = remote.reader.ReadFrom(remote.out.get());
  for (;;) {
    absl::StatusOr<std::optional<std::string>> frame = remote.reader.Next();
    if (!frame.ok()) {
      remote.stream_error = std::string(frame.status().message());
      remote.broken = true;
      return false;
    }
    if (!frame->has_value()) break;
    proto::WorkerMessage message;
    if (!message.ParseFromString(**frame)) {
      remote.stream_error = "a frame from the worker does not parse";
      remote.broken = true;
      return false;
    }
    Handle(remote, message);
  }
  return open.ok() && *open;
}

void SlurmExecutor::Cancel(Remote& remote, bool interrupted) {
  remote.interrupted |= interrupted;
  if (remote.cancelled) return;
  remote.cancelled = true;
  remote.kill_at = Now() + options_.kill_grace;
  if (!remote.allocated || remote.job_id.empty()) {
    kill(remote.pid, SIGTERM);  // still queued: srun withdraws the request
    return;
  }
  // The worker powers the boards off and sends what it has; srun then ends by itself.
  process::CommandOptions command;
  command.argv = {options_.scancel, "--signal=TERM", remote.job_id};
  command.timeout = absl::Seconds(10);
  absl::StatusOr<process::CommandResult> result = process::RunCommand(command);
  if (!result.ok() || !result->ok()) {
    LOG(WARNING) << remote.name << ": scancel " << remote.job_id << ": "
                 << (result.ok() ? result->Describe() + " " + result->output
                                 : std::string(result.status().message()));
    kill(remote.pid, SIGTERM);
  }
}

JobDone SlurmExecutor::Reap(Remote& remote, int status) {
  kill(-remote.pid, SIGKILL);  // anything srun left in its group
  remote.pid = -1;
  unlink(remote.input_path.c_str());  // the firmware's bytes, once more
  JobDone done;
  done.id = remote.id;
  done.start = remote.allocated.value_or(remote.submitted);
  done.end = Now();
  done.host = remote.host;
  const std::string srun_said = SrunSays(remote.stderr_path);
  // bench/slurm_bench.sh reads this line: the attempt's time in Slurm, queue included.
  LOG(INFO) << remote.name << ": srun ended after "
            << absl::ToDoubleSeconds(done.end - remote.submitted) << " s (queued "
            << (remote.allocated ? absl::ToDoubleSeconds(*remote.allocated - remote.submitted) : -1)
            << " s) on " << remote.host;
  if (remote.done) {
    switch (remote.done->status()) {
      case proto::WorkerDone::OK:
        done.status = JobDone::Status::kOk;
        done.payload = remote.done->record().SerializeAsString();
        break;
      case proto::WorkerDone::TIMED_OUT:
        done.status = JobDone::Status::kTimedOut;
        break;
      default:
        done.status = JobDone::Status::kCrashed;
    }
    done.detail = remote.done->detail();
    if (remote.interrupted && done.status != JobDone::Status::kOk) {
      done.status = JobDone::Status::kTimedOut;
      done.detail = absl::StrCat("interrupted: ", done.detail);
    }
    if (!remote.stream_error.empty()) {  // the record arrived, but not every file did
      LOG(ERROR) << remote.name << ": " << remote.stream_error;
    }
    return done;
  }
  if (!remote.error.empty()) {
    done.status = JobDone::Status::kCrashed;
    done.detail = absl::StrCat("the worker on ", remote.host, " refused the run: ", remote.error);
    return done;
  }
  if (remote.host_lost && !remote.allocated) {
    done.status = JobDone::Status::kLost;
    done.detail = absl::StrCat("never started: its host ", remote.host, " is down or was lost",
                               srun_said.empty() ? "" : absl::StrCat(" (srun: ", srun_said, ")"));
    return done;
  }
  if (remote.cancelled) {
    done.status = JobDone::Status::kTimedOut;
    done.detail = remote.interrupted
                      ? "interrupted: the Slurm job was cancelled"
                      : absl::StrCat("timed out after ", absl::FormatDuration(remote.deadline),
                                     " and cancelled (the worker sent nothing more)");
    return done;
  }
  const bool exited_zero = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  const std::string how = WIFEXITED(status)
                              ? absl::StrCat("exited ", WEXITSTATUS(status))
                              : absl::StrCat("killed by ", process::SignalName(WTERMSIG(status)));
  const std::string said = srun_said.empty() ? "" : absl::StrCat(" (srun: ", srun_said, ")");
  // srun exits 0 when its host dies, and says "Node failure": an end without the final record
  // is then the host's. Any other end is the run's (the worker died) or the request's (srun
  // refused it, e.g. tentacles no host has together).
  if (!exited_zero && !absl::StrContains(srun_said, "Node failure")) {
    done.status = JobDone::Status::kCrashed;
    done.detail =
        remote.allocated
            ? absl::StrCat(
                  "the worker on ", remote.host, " died: srun ", how, said,
                  remote.stream_error.empty() ? "" : absl::StrCat("; ", remote.stream_error))
            : absl::StrCat("srun could not start it on ", remote.host, ": srun ", how, said);
    return done;
  }
  done.status = JobDone::Status::kLost;
  done.detail =
      absl::StrCat(remote.allocated ? "lost its host " : "never started on host ", remote.host,
                   ": srun ", how, " without the worker's final record", said);
  return done;
}

std::vector<JobDone> SlurmExecutor::Wait(absl::Duration max_wait) {
  std::vector<JobDone> ended = std::move(failed_starts_);
  failed_starts_.clear();
  const absl::Time until = Now() + max_wait;
  while (ended.empty()) {
    // Deadlines, counted from the worker's hello; requests for a host that is down.
    const bool look_at_queue = Now() - last_queue_look_ >= absl::Seconds(1);
    if (look_at_queue) last_queue_look_ = Now();
    for (auto& [id, remote] : remotes_) {
      if (look_at_queue && !remote->allocated && !remote->host_lost &&
          absl::StrContains(report::TryReadFile(remote->stderr_path, 1 << 16).value_or(""),
                            "Required node not available")) {
        // srun would wait for ever (tests/slurm/testdata/c2_dead_host_submit.stderr).
        remote->host_lost = true;
        kill(remote->pid, SIGTERM);
      }
      if (remote->allocated && !remote->cancelled &&
          Now() > *remote->allocated + remote->deadline + options_.deadline_margin) {
        LOG(WARNING) << remote->name << ": past its deadline on " << remote->host
                     << ": cancelling its Slurm job";
        Cancel(*remote, false);
      }
      if (remote->kill_at && Now() > *remote->kill_at && remote->pid > 0) {
        kill(-remote->pid, SIGKILL);
        remote->kill_at.reset();
      }
    }
    // srun may live on after its output ended (a host's death: until Slurm calls it a node
    // failure): it is reaped without waiting, so that nothing else waits for it.
    for (auto it = remotes_.begin(); it != remotes_.end();) {
      Remote& remote = *it->second;
      int status = 0;
      if (remote.out.valid() || waitpid(remote.pid, &status, WNOHANG) != remote.pid) {
        ++it;
        continue;
      }
      ended.push_back(Reap(remote, status));
      const JobDone& done = ended.back();
      it = remotes_.erase(it);
      if (done.status == JobDone::Status::kLost) WithdrawQueued(done.host);
    }
    if (!ended.empty()) break;
    std::vector<pollfd> fds;
    std::vector<int> ids;
    for (auto& [id, remote] : remotes_) {
      if (!remote->out.valid()) continue;
      fds.push_back({remote->out.get(), POLLIN, 0});
      ids.push_back(id);
    }
    const size_t remote_fds = fds.size();
    for (int fd : wake_fds_) fds.push_back({fd, POLLIN, 0});
    absl::Duration slice = std::min(until - Now(), absl::Milliseconds(200));
    if (local_->running() > 0) slice = std::min(slice, absl::Milliseconds(20));
    slice = std::max(slice, absl::ZeroDuration());
    if (fds.size() < remotes_.size()) slice = std::min(slice, absl::Milliseconds(20));
    if (!fds.empty()) {
      poll(fds.data(), fds.size(), static_cast<int>(absl::ToInt64Milliseconds(slice)));
    } else if (local_->running() == 0) {
      absl::SleepFor(slice);
    }
    bool woken = false;
    for (size_t i = remote_fds; i < fds.size(); ++i) woken |= fds[i].revents != 0;
    fds.resize(remote_fds);
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      Remote& remote = *remotes_[ids[i]];
      if (!Pump(remote)) {
        remote.out.reset();                             // its end: reaped above once srun exits
        if (remote.broken) kill(-remote.pid, SIGKILL);  // a useless stream: srun may still run
      }
    }
    if (local_->running() > 0) {
      for (JobDone& done : local_->Wait(fds.empty() ? slice : absl::ZeroDuration())) {
        done.id = local_ids_[done.id];
        ended.push_back(std::move(done));
      }
    }
    if (Now() >= until || woken) break;
  }
  return ended;
}

void SlurmExecutor::WithdrawQueued(const std::string& host) {
  for (auto& [id, remote] : remotes_) {
    if (remote->host != host || remote->allocated || remote->host_lost) continue;
    remote->host_lost = true;
    kill(remote->pid, SIGTERM);  // a request for a dead host would wait for ever
  }
}

absl::StatusOr<std::map<std::string, std::string>> SlurmExecutor::UnusableHosts() {
  process::CommandOptions command;
  command.argv = {options_.sinfo, "-h", "-N", "-o", "%N %T"};
  command.timeout = absl::Seconds(20);
  absl::StatusOr<process::CommandResult> result = process::RunCommand(command);
  if (result.ok() && !result->ok()) {
    result = absl::UnavailableError(
        absl::StrCat(result->Describe(), ": ", absl::StripAsciiWhitespace(result->output)));
  }
  if (!result.ok()) {
    return absl::UnavailableError(absl::StrCat("cannot ask Slurm which hosts are up (",
                                               options_.sinfo, "): ", result.status().message()));
  }
  std::map<std::string, std::string> unusable;
  for (absl::string_view line : absl::StrSplit(result->output, '\n', absl::SkipWhitespace())) {
    std::vector<std::string> fields = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    if (fields.size() != 2) continue;
    const std::string& state = fields[1];
    for (const char* bad : {"down", "drain", "fail", "maint", "unk", "future", "*"}) {
      if (absl::StrContains(state, bad)) {
        unusable[fields[0]] = absl::StrCat("Slurm says host ", fields[0], " is ", state);
        break;
      }
    }
  }
  return unusable;
}

void SlurmExecutor::CancelAll() {
  local_->CancelAll();
  for (auto& [id, remote] : remotes_) Cancel(*remote, true);
}

void SlurmExecutor::KillAll() {
  local_->KillAll();
  for (auto& [id, remote] : remotes_) {
    remote->cancelled = remote->interrupted = true;
    if (remote->pid > 0) kill(-remote->pid, SIGKILL);
  }
}

}  // namespace mptest::sched
