// The worker's two ends (see worker.h).
#include "core/sched/worker.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/bus/event_bus.h"
#include "core/bus/frame.h"
#include "core/proto/board_variant.h"
#include "core/report/atomic_file.h"
#include "core/sched/process_executor.h"
#include "core/sched/record_io.h"
#include "core/version.h"
#include "glog/logging.h"

namespace mptest::sched {
namespace {

// Reads the one input frame (the whole of stdin).
absl::StatusOr<proto::WorkerInput> ReadInput(int in_fd) {
  bus::FrameReader reader(bus::kMaxFrameLimit);
  for (;;) {
    char buffer[65536];
    ssize_t n = read(in_fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::InternalError(absl::StrCat("reading the input: ", strerror(errno)));
    if (n == 0) break;
    reader.Feed(buffer, static_cast<size_t>(n));
  }
  absl::StatusOr<std::optional<std::string>> frame = reader.Next();
  if (!frame.ok()) return frame.status();
  proto::WorkerInput input;
  if (!frame->has_value() || !input.ParseFromString(**frame)) {
    return absl::InvalidArgumentError("stdin holds no WorkerInput frame (is this a campaign?)");
  }
  return input;
}

absl::Status Send(int out_fd, const proto::WorkerMessage& message) {
  return bus::WriteFrame(out_fd, message.SerializeAsString());
}

int SendError(int out_fd, int exit_code, const std::string& error) {
  proto::WorkerMessage message;
  message.set_error(error);
  (void)Send(out_fd, message);
  return exit_code;
}

// Sends every regular file below `dir`, relative to it.
absl::Status SendFiles(int out_fd, const std::string& dir) {
  std::error_code error;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (!it->is_regular_file()) continue;
    absl::StatusOr<std::string> data = report::ReadFile(it->path().string());
    if (!data.ok()) return data.status();
    proto::WorkerMessage message;
    proto::WorkerFile* file = message.mutable_file();
    file->set_path(std::filesystem::relative(it->path(), dir).string());
    file->set_data(*std::move(data));
    file->set_mode(static_cast<uint32_t>(it->status().permissions()) & 0777);
    if (absl::Status status = Send(out_fd, message); !status.ok()) return status;
  }
  if (error) return absl::InternalError(absl::StrCat(dir, ": ", error.message()));
  return absl::OkStatus();
}

// Discovers and starts the run's tentacles on this host; on error stops what started.
absl::StatusOr<std::vector<proto::Tentacle>> BringUp(const proto::WorkerInput& input,
                                                     PluginSource& plugins,
                                                     const WorkerOptions& options) {
  std::vector<proto::Tentacle> started;
  auto stop_started = [&] { PowerOffTentacles(plugins, started); };
  for (const proto::InventoryEntry& entry : input.tentacles()) {
    absl::StatusOr<BoardDriver*> driver = plugins.GetDriver(entry.type());
    if (!driver.ok()) {
      stop_started();
      return driver.status();
    }
    proto::DiscoverRequest request;
    *request.mutable_inventory()->add_tentacles() = entry;
    *request.mutable_boards() = input.boards();
    request.set_state_dir(absl::StrCat(options.state_dir, "/tentacles"));
    request.set_persist_dir(absl::StrCat(options.state_dir, "/persist"));
    for (const std::string& dir : {request.state_dir(), request.persist_dir()}) {
      if (absl::Status status = MakeDirs(dir); !status.ok()) return status;
    }
    absl::StatusOr<proto::DiscoverResponse> found = (*driver)->Discover(request);
    if (found.ok() && found->tentacles().empty()) {
      found = absl::NotFoundError("its driver did not discover it");
    }
    absl::StatusOr<proto::Tentacle> tentacle =
        found.ok() ? (*driver)->Start(found->tentacles(0)) : found.status();
    if (!tentacle.ok()) {
      stop_started();
      return absl::Status(tentacle.status().code(),
                          absl::StrCat("tentacle ", entry.label(), " on ", options.host,
                                       ": cannot start: ", tentacle.status().message()));
    }
    if (!tentacle->has_board()) {
      for (const proto::BoardDefinition& board : input.boards()) {
        if (board.name() == entry.board()) *tentacle->mutable_board() = board;
      }
    }
    started.push_back(*std::move(tentacle));
  }
  return started;
}

}  // namespace

absl::StatusOr<proto::WorkerInput> MakeWorkerInput(const TestRunInput& input,
                                                   absl::Duration deadline,
                                                   const std::string& xfail_json,
                                                   std::map<std::string, std::string>* images) {
  proto::WorkerInput out;
  out.set_version(kVersion);
  *out.mutable_spec() = input.spec;
  out.set_testid(input.testid);
  out.set_role(input.role);
  std::map<std::string, proto::BoardDefinition> boards;
  for (const proto::Tentacle& tentacle : input.tentacles) {
    *out.add_tentacles() = tentacle.entry();
    boards[tentacle.board().name()] = tentacle.board();
  }
  for (const auto& [name, board] : boards) *out.add_boards() = board;
  out.set_dut(input.dut);
  for (const proto::Firmware& firmware : input.firmware) {
    *out.add_firmware() = firmware;
    std::string* image = out.add_images();
    if (firmware.path().empty()) continue;
    if (images != nullptr) {
      if (auto known = images->find(firmware.path()); known != images->end()) {
        *image = known->second;
        continue;
      }
    }
    absl::StatusOr<std::string> data = report::ReadFile(firmware.path());
    if (!data.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("firmware ", BoardVariantName(firmware.board(), firmware.variant()), ": ",
                       data.status().message(), " (the Slurm executor sends one file per image)"));
    }
    *image = *std::move(data);
    if (images != nullptr) (*images)[firmware.path()] = *image;
  }
  out.set_tests_dir(input.tests_dir);
  out.set_count(input.options.count);
  out.set_max_retries(input.options.max_retries);
  out.set_flash_force(input.options.flash_force);
  out.set_flash_skip(input.options.flash_skip);
  out.set_xfail_json(xfail_json);
  out.set_deadline_s(absl::ToDoubleSeconds(deadline));
  return out;
}

int RunWorker(int in_fd, int out_fd, PluginSource& plugins, const WorkerOptions& options) {
  absl::StatusOr<proto::WorkerInput> input = ReadInput(in_fd);
  proto::WorkerMessage hello;
  hello.mutable_hello()->set_version(kVersion);
  hello.mutable_hello()->set_host(options.host);
  if (const char* job = getenv("SLURM_JOB_ID"); job != nullptr) {
    hello.mutable_hello()->set_slurm_job_id(job);
  }
  if (absl::Status status = Send(out_fd, hello); !status.ok()) return 3;
  if (!input.ok()) return SendError(out_fd, 2, std::string(input.status().message()));
  if (input->version() != kVersion) {
    return SendError(out_fd, 2,
                     absl::StrCat("mptest on host ", options.host, " is version ", kVersion,
                                  ", the campaign's is ", input->version(),
                                  ": install the campaign's version on every host"));
  }
  struct stat info;
  if (!input->tests_dir().empty() && stat(input->tests_dir().c_str(), &info) != 0) {
    return SendError(out_fd, 3,
                     absl::StrCat("host ", options.host, " has no tests directory ",
                                  input->tests_dir(), " (each host needs it at the same path)"));
  }
  Xfail xfail;
  if (!input->xfail_json().empty()) {
    absl::StatusOr<Xfail> parsed = Xfail::Parse(input->xfail_json(), "the campaign's --xfail");
    if (!parsed.ok()) return SendError(out_fd, 2, std::string(parsed.status().message()));
    xfail = *std::move(parsed);
  }

  // The run's results directory, private to this run, and its firmware files.
  const std::string run_dir =
      absl::StrCat(options.state_dir, "/runs/", input->testid(), ".", getpid());
  const std::string firmware_dir = absl::StrCat(run_dir, ".firmware");
  for (const std::string& dir : {run_dir, firmware_dir}) {
    if (absl::Status status = MakeDirs(dir); !status.ok()) {
      return SendError(out_fd, 3, std::string(status.message()));
    }
  }
  auto cleanup = [&] {
    std::error_code ignored;
    std::filesystem::remove_all(run_dir, ignored);
    std::filesystem::remove_all(firmware_dir, ignored);
  };
  TestRunInput run;
  run.spec = input->spec();
  run.testid = input->testid();
  run.role = input->role();
  run.dut = input->dut();
  for (int i = 0; i < input->firmware_size(); ++i) {
    proto::Firmware firmware = input->firmware(i);
    if (i < input->images_size() && !firmware.path().empty()) {
      const std::string path = absl::StrCat(
          firmware_dir, "/", i, "-", std::filesystem::path(firmware.path()).filename().string());
      absl::Status status = report::WriteFileAtomically(path, input->images(i));
      if (status.ok() && chmod(path.c_str(), 0755) != 0) {
        status = absl::InternalError(absl::StrCat("chmod ", path, ": ", strerror(errno)));
      }
      if (!status.ok()) {
        cleanup();
        return SendError(out_fd, 3, std::string(status.message()));
      }
      firmware.set_path(path);
    }
    run.firmware.push_back(firmware);
  }
  run.results_dir = run_dir;
  run.tests_dir = input->tests_dir();
  run.options.count = input->count();
  run.options.max_retries = input->max_retries();
  run.options.flash_force = input->flash_force();
  run.options.flash_skip = input->flash_skip();
  run.options.cache_dir = options.state_dir;
  run.xfail = xfail.empty() ? nullptr : &xfail;

  absl::StatusOr<std::vector<proto::Tentacle>> tentacles = BringUp(*input, plugins, options);
  if (!tentacles.ok()) {
    cleanup();
    return SendError(out_fd, 3, std::string(tentacles.status().message()));
  }
  run.tentacles = *tentacles;
  auto power_off = [&plugins, &tentacles] { PowerOffTentacles(plugins, *tentacles); };

  // The run in a supervised child, as on the campaign's host; each test it reports as it
  // starts and ends goes on to the campaign at once (the bus publishes on this thread, in Wait).
  bus::EventBus events;
  events.SubscribeTo(proto::Event::kTest, [out_fd](const proto::Event& event) {
    proto::WorkerMessage message;
    *message.mutable_event() = event;
    (void)Send(out_fd, message);
  });
  ProcessExecutor executor(1, options.kill_grace, std::nullopt, "", &events);
  JobSpec job;
  job.name = input->testid();
  job.deadline = absl::Seconds(input->deadline_s() > 0 ? input->deadline_s() : 3600);
  job.work = [&run, &plugins] {
    return RunTestRun(run, plugins, [] { return absl::Now(); }).SerializeAsString();
  };
  job.before_kill = power_off;
  executor.Start(std::move(job));
  std::vector<JobDone> ended;
  bool cancelled = false;
  while (ended.empty()) {
    if (!cancelled && options.cancelled && options.cancelled()) {
      executor.CancelAll();
      cancelled = true;
    }
    ended = executor.Wait(absl::Milliseconds(100));
  }
  power_off();

  proto::WorkerMessage done;
  proto::WorkerDone* end = done.mutable_done();
  const JobDone& job_done = ended.front();
  end->set_detail(job_done.detail);
  if (job_done.status == JobDone::Status::kOk &&
      end->mutable_record()->ParseFromString(job_done.payload)) {
    end->set_status(proto::WorkerDone::OK);
  } else {
    end->clear_record();
    end->set_status(job_done.status == JobDone::Status::kTimedOut ? proto::WorkerDone::TIMED_OUT
                                                                  : proto::WorkerDone::CRASHED);
    if (end->detail().empty()) end->set_detail("the run sent no record");
  }
  absl::Status sent = SendFiles(out_fd, run_dir);
  if (sent.ok()) sent = Send(out_fd, done);
  cleanup();
  if (!sent.ok()) {
    LOG(ERROR) << "sending the results: " << sent;
    return 3;
  }
  return 0;
}

}  // namespace mptest::sched
