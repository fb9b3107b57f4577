// Test helper: a virtual board for one test (see test_board.h).
#include "firmware/test_board.h"

#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace mptest::firmware {

VirtualImage TestBoard::DefaultImage() {
  VirtualImage image;
  image.board = "VIRTUAL";
  image.variant = "";
  image.version = "v1.29.0-test";
  image.date = "2026-11-23";
  return image;
}

std::string TestBoard::BinaryPath() {
  const char* srcdir = getenv("TEST_SRCDIR");
  std::string runfiles = srcdir ? absl::StrCat(srcdir, "/mptest/") : "";
  return absl::StrCat(runfiles, "firmware/virtual_board");
}

absl::StatusOr<std::unique_ptr<TestBoard>> TestBoard::Start(
    const proto::VirtualFaults& faults, const std::vector<std::string>& extra_args,
    const VirtualImage& image) {
  static std::atomic<int> counter{0};
  const char* tmp = getenv("TEST_TMPDIR");
  std::string dir = absl::StrCat(tmp ? tmp : "/tmp", "/board", getpid(), "-", counter++);
  std::unique_ptr<TestBoard> board(new TestBoard());
  board->flash_path_ = absl::StrCat(dir, ".flash");
  board->log_path_ = absl::StrCat(dir, ".log");
  if (absl::Status status = WriteImageFile(board->flash_path_, image); !status.ok()) {
    return status;
  }
  LaunchOptions options;
  options.binary = BinaryPath();
  options.board = image.board;
  options.flash_path = board->flash_path_;
  options.link_path = absl::StrCat(dir, ".tty");
  options.log_path = board->log_path_;
  options.faults = faults;
  options.extra_args = extra_args;
  absl::StatusOr<LaunchedBoard> launched = LaunchBoard(options);
  if (!launched.ok()) return launched.status();
  board->launched_ = *launched;
  return board;
}

TestBoard::~TestBoard() {
  if (!expect_exit_ && !ProcessAlive(launched_.pid)) {
    std::ifstream in(log_path_);
    std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ADD_FAILURE() << "the virtual board (pid " << launched_.pid
                  << ") died during the test; its log:\n"
                  << log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
  }
  (void)StopBoard(launched_.pid);
}

}  // namespace mptest::firmware
