/* Bad plugin: init reports an error; the host must reject it with the plugin's message. */
#include "testdata/plugins/common_board.h"

static mptest_plugin_status Init(const mptest_plugin_host* host, mptest_plugin_output* error) {
  (void)host;
  FixtureWrite(error, "the bench power supply is off");
  return 14; /* UNAVAILABLE */
}

static const mptest_plugin_board_driver kBoard = {
    sizeof(mptest_plugin_board_driver), FixtureOk, FixtureOk, FixtureOk, FixtureOk, FixtureOk, {0}};
static const mptest_plugin_descriptor kDescriptor = {MPTEST_PLUGIN_ABI_VERSION,
                                                     sizeof(mptest_plugin_descriptor),
                                                     "init_fails",
                                                     "1",
                                                     0,
                                                     Init,
                                                     0,
                                                     &kBoard,
                                                     0,
                                                     {0}};

MPTEST_PLUGIN_EXPORT const mptest_plugin_descriptor* mptest_plugin_entry(void) {
  return &kDescriptor;
}
