// A stand-in for `mptest worker` in the Slurm executor's tests: reads the WorkerInput frame and
// answers as $FAKE_WORKER_MODE says:
//   ok       hello, a test's start (an event), one results file
//   (<testid>,a/context_testgroup.json), WorkerDone OK with a
//            record naming the input's test id
//   hang     hello and the file, then waits for SIGTERM, then WorkerDone TIMED_OUT
//   refuse   hello, then an error (as a worker of another version does)
//   crash    hello, then SIGABRT
// $FAKE_WORKER_PID_FILE (optional) receives its pid once it said hello.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "core/bus/frame.h"
#include "core/proto/worker.pb.h"

namespace {

volatile sig_atomic_t terminated = 0;
void OnTerm(int) { terminated = 1; }

void Send(const mptest::proto::WorkerMessage& message) {
  if (!mptest::bus::WriteFrame(STDOUT_FILENO, message.SerializeAsString()).ok()) std::exit(5);
}

}  // namespace

int main() {
  signal(SIGTERM, OnTerm);
  mptest::bus::FrameReader reader(mptest::bus::kMaxFrameLimit);
  char buffer[4096];
  for (ssize_t n; (n = read(STDIN_FILENO, buffer, sizeof(buffer))) > 0;) reader.Feed(buffer, n);
  auto frame = reader.Next();
  mptest::proto::WorkerInput input;
  if (!frame.ok() || !frame->has_value() || !input.ParseFromString(**frame)) return 4;
  const char* env_mode = getenv("FAKE_WORKER_MODE");
  const std::string mode = env_mode ? env_mode : "ok";

  mptest::proto::WorkerMessage hello;
  hello.mutable_hello()->set_version(input.version());
  hello.mutable_hello()->set_host("fakehost");
  if (const char* job = getenv("SLURM_JOB_ID")) hello.mutable_hello()->set_slurm_job_id(job);
  Send(hello);
  if (const char* pid_file = getenv("FAKE_WORKER_PID_FILE")) {
    std::ofstream(std::string(pid_file) + ".tmp") << getpid() << "\n";
    rename((std::string(pid_file) + ".tmp").c_str(), pid_file);
  }
  if (mode == "crash") abort();
  if (mode == "refuse") {
    mptest::proto::WorkerMessage error;
    error.set_error("mptest on host fakehost is version 0.0.0, the campaign's is " +
                    input.version());
    Send(error);
    return 2;
  }
  mptest::proto::WorkerMessage event;  // its one test starts
  event.mutable_event()->mutable_test()->set_testid(input.testid());
  event.mutable_event()->mutable_test()->mutable_progress()->set_index(1);
  event.mutable_event()->mutable_test()->mutable_progress()->set_total(1);
  Send(event);
  mptest::proto::WorkerMessage file;
  file.mutable_file()->set_path(input.testid() + ",a/context_testgroup.json");
  file.mutable_file()->set_data("{\"testid\": \"" + input.testid() + "\"}\n");
  file.mutable_file()->set_mode(0644);
  Send(file);
  mptest::proto::WorkerMessage done;
  if (mode == "hang") {
    while (!terminated) pause();
    done.mutable_done()->set_status(mptest::proto::WorkerDone::TIMED_OUT);
    done.mutable_done()->set_detail("ended by SIGTERM: boards powered off");
  } else {
    done.mutable_done()->set_status(mptest::proto::WorkerDone::OK);
    done.mutable_done()->mutable_record()->set_testid(input.testid());
    done.mutable_done()->mutable_record()->add_tentacles(input.tentacles(0).label());
  }
  Send(done);
  return 0;
}
