/* Bad plugin: init dies with SIGSEGV. Only the child that checks new plugins may see this. */
#include <signal.h>

#include "testdata/plugins/common_board.h"

static mptest_plugin_status Init(const mptest_plugin_host* host, mptest_plugin_output* error) {
  (void)host;
  (void)error;
  raise(SIGSEGV);
  return MPTEST_PLUGIN_OK;
}

static const mptest_plugin_board_driver kBoard = {
    sizeof(mptest_plugin_board_driver), FixtureOk, FixtureOk, FixtureOk, FixtureOk, FixtureOk, {0}};
static const mptest_plugin_descriptor kDescriptor = {MPTEST_PLUGIN_ABI_VERSION,
                                                     sizeof(mptest_plugin_descriptor),
                                                     "init_crashes",
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
