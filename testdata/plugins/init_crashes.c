/* Bad plugin: init dies with SIGSEGV. Only the child that checks new plugins may see this. */
#include <signal.h>

#include "testdata/plugins/common_board.h"

static mptest_plugin_status Init(const mptest_plugin_host* host, mptest_plugin_output* error) {
  (void)host;
  (void)error;
  raise(SIGSEGV);
  return MPTEST_PLUGIN_OK;
}

FIXTURE_BOARD_PLUGIN("init_crashes", Init, FixtureOk)
