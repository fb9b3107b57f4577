// For tests: a virtual board process with a fresh flash file in $TEST_TMPDIR, stopped when the
// TestBoard goes out of scope. The test target needs data = ["//firmware:virtual_board"].
#ifndef MPTEST_FIRMWARE_TEST_BOARD_H_
#define MPTEST_FIRMWARE_TEST_BOARD_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/proto/board.pb.h"
#include "firmware/image.h"
#include "firmware/launcher.h"

namespace mptest::firmware {

class TestBoard {
 public:
  // The image a TestBoard boots unless told otherwise.
  static VirtualImage DefaultImage();
  // Path of the virtual_board binary in the test's runfiles.
  static std::string BinaryPath();

  // Starts a board named image.board, flashed with image, with faults and extra flags.
  static absl::StatusOr<std::unique_ptr<TestBoard>> Start(
      const proto::VirtualFaults& faults = {}, const std::vector<std::string>& extra_args = {},
      const VirtualImage& image = DefaultImage());
  ~TestBoard();

  const std::string& console() const { return launched_.console; }
  const std::string& flash_path() const { return flash_path_; }
  const std::string& log_path() const { return log_path_; }
  pid_t pid() const { return launched_.pid; }
  absl::Status PowerCycle() { return PowerCycleBoard(launched_.pid); }
  // The test ends the board itself; otherwise a board that died during the test (a crash,
  // an ASan report) fails the test, with the end of its log.
  void ExpectExit() { expect_exit_ = true; }

 private:
  TestBoard() = default;
  LaunchedBoard launched_;
  std::string flash_path_;
  std::string log_path_;
  bool expect_exit_ = false;
};

}  // namespace mptest::firmware

#endif  // MPTEST_FIRMWARE_TEST_BOARD_H_
