/* Bad plugin: init reports an error; the host must reject it with the plugin's message. */
#include "testdata/plugins/common_board.h"

static mptest_plugin_status Init(const mptest_plugin_host* host, mptest_plugin_output* error) {
  (void)host;
  FixtureWrite(error, "the bench power supply is off");
  return 14; /* UNAVAILABLE */
}

FIXTURE_BOARD_PLUGIN("init_fails", Init, FixtureOk)
