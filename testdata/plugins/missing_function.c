/* Bad plugin: a board driver without its required flash function. */
#include "testdata/plugins/common_board.h"

static mptest_plugin_status Init(const mptest_plugin_host* host, mptest_plugin_output* error) {
  (void)host;
  (void)error;
  return MPTEST_PLUGIN_OK;
}

FIXTURE_BOARD_PLUGIN("missing_function", Init, 0)
