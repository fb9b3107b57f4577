// The sample campaign of test_results.h.
#include "core/report/test_results.h"

#include <string>

namespace mptest::report::testing {
namespace {

proto::TestGroupResult Group(const std::string& label, const std::string& tentacle,
                             const std::string& board, const std::string& variant,
                             const std::string& attempt, double start, double end) {
  proto::TestGroupResult group;
  const std::string tentacle_variant = variant.empty() ? tentacle : tentacle + "-" + variant;
  group.set_testgroup(label);
  group.set_testid(label + "@" + tentacle_variant);
  group.set_directory_relative(group.testid() + "," + attempt);
  group.set_attempt(attempt);
  group.set_tentacle_variant(tentacle_variant);
  group.set_tentacle(tentacle);
  group.set_board(board);
  group.set_variant(variant);
  group.set_tentacle_mcu(board == "PYBV11" ? "stm32" : board == "ESP32_GENERIC" ? "esp32" : "rp2");
  group.set_commandline("run-tests.py --test-instance=port:/dev/pts/3");
  group.set_start_s(kCampaignStart + start);
  group.set_end_s(kCampaignStart + end);
  return group;
}

void AddOutcome(proto::TestGroupResult* group, const std::string& name, const std::string& outcome,
                const std::string& text = "") {
  proto::Outcome* result = group->add_outcomes();
  result->set_name(name);
  proto::Outcome::Verdict verdict = proto::Outcome::verdict_unspecified;
  proto::Outcome::Verdict_Parse(outcome, &verdict);  // the sample's words are verdict names
  result->set_outcome(verdict);
  result->set_text(text);
  result->set_duration_s(0.25);
}

}  // namespace

proto::CampaignContext SampleContext() {
  proto::CampaignContext context;
  context.set_testbed_name("virtual-lab");
  context.set_trigger("manually started from testhost");
  context.set_commandline("mptest test --count=2");
  context.set_ref_firmware("/src/micropython");
  context.set_ref_tests("/src/micropython/tests");
  context.set_start_s(kCampaignStart);
  context.set_log_output("logger_20_info.log");
  (*context.mutable_directories())["R"] = "/tmp/results";
  proto::FirmwareBuild* pico = context.add_builds();
  pico->set_board("RPI_PICO2");
  pico->set_variant("RISCV");
  pico->set_start_s(kCampaignStart);
  pico->set_end_s(kCampaignStart + 5);
  pico->set_log("mpbuild/RPI_PICO2-RISCV/build.txt");
  proto::FirmwareBuild* pyboard = context.add_builds();
  pyboard->set_board("PYBV11");
  pyboard->set_start_s(kCampaignStart + 1);
  pyboard->set_end_s(kCampaignStart + 3);
  pyboard->set_cached(true);
  proto::FirmwareBuild* broken = context.add_builds();
  broken->set_board("ESP32_GENERIC");
  broken->set_start_s(kCampaignStart + 1);
  broken->set_end_s(kCampaignStart + 9);
  broken->set_error("make failed: exit code 2");
  broken->set_log("mpbuild/ESP32_GENERIC/build.txt");
  return context;
}

proto::CampaignResults SampleResults() {
  proto::CampaignResults results;
  *results.mutable_context() = SampleContext();

  proto::TestGroupResult pico_a =
      Group("RUN-TESTS_STANDARD", "5f2c-RPI_PICO2", "RPI_PICO2", "RISCV", "a", 5, 20);
  AddOutcome(&pico_a, "basics/andor.py", "passed");
  AddOutcome(&pico_a, "basics/int_big.py", "failed", "output mismatch <expected> & \"got\"");
  AddOutcome(&pico_a, "basics/async.py", "skipped", "no asyncio");
  AddOutcome(&pico_a, "extmod/vfs.py", "xfailed", "known: issue #123");
  proto::TestGroupResult pico_b =
      Group("RUN-TESTS_STANDARD", "5f2c-RPI_PICO2", "RPI_PICO2", "RISCV", "b", 21, 35);
  AddOutcome(&pico_b, "basics/andor.py", "passed");
  AddOutcome(&pico_b, "basics/int_big.py", "passed");
  AddOutcome(&pico_b, "basics/async.py", "skipped", "no asyncio");
  AddOutcome(&pico_b, "extmod/vfs.py", "xfailed", "known: issue #123");

  proto::TestGroupResult pyboard =
      Group("RUN-TESTS_STANDARD", "2d2d-PYBV11", "PYBV11", "", "a", 3, 18);
  AddOutcome(&pyboard, "basics/andor.py", "passed");
  AddOutcome(&pyboard, "basics/int_big.py", "failed", "Traceback | line 3");
  AddOutcome(&pyboard, "basics/async.py", "passed");

  proto::TestGroupResult errored =
      Group("RUN-TESTS_NET_INET", "5f2c-RPI_PICO2", "RPI_PICO2", "RISCV", "a", 36, 40);
  errored.set_msg_error("board did not answer after flashing (timeout 60 s)");
  errored.set_log_output(errored.directory_relative() + "/logger_20_info.log");

  proto::TestGroupResult skipped =
      Group("RUN-TESTS_STANDARD", "aa11-ESP32_GENERIC", "ESP32_GENERIC", "", "a", 9, 9);
  skipped.set_msg_skipped("firmware build failed: make failed: exit code 2");

  proto::TestGroupResult multinet =
      Group("RUN-MULTITESTS_MULTINET", "2d2d-PYBV11", "PYBV11", "", "a", 19, 30);
  multinet.set_tentacle_variant_role("instance0");
  multinet.set_tentacle_reference("5f2c-RPI_PICO2-RISCV");
  multinet.set_tentacle_reference_name("5f2c-RPI_PICO2");
  multinet.set_directory_relative("RUN-MULTITESTS_MULTINET@2d2d-PYBV11-instance0,a");
  AddOutcome(&multinet, "multi_net/tcp_data.py", "passed");
  AddOutcome(&multinet, "multi_net/udp_data.py", "errored", "instance1 did not start");

  for (const proto::TestGroupResult* group :
       {&multinet, &pyboard, &pico_a, &pico_b, &errored, &skipped}) {
    *results.add_groups() = *group;
  }
  return results;
}

}  // namespace mptest::report::testing
