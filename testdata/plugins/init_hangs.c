/* Bad plugin: init never returns. The child check's timeout must end it. */
#include <unistd.h>

#include "testdata/plugins/common_board.h"

static mptest_plugin_status Init(const mptest_plugin_host* host, mptest_plugin_output* error) {
  (void)host;
  (void)error;
  for (;;) pause();
  return MPTEST_PLUGIN_OK;
}

FIXTURE_BOARD_PLUGIN("init_hangs", Init, FixtureOk)
