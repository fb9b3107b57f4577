/* Shared by the plain-C fixtures: a board driver whose functions all succeed with no output,
 * and FIXTURE_BOARD_PLUGIN, which defines a plugin around it with a given init and flash. */
#ifndef MPTEST_TESTDATA_PLUGINS_COMMON_BOARD_H_
#define MPTEST_TESTDATA_PLUGINS_COMMON_BOARD_H_

#include "core/api/plugin_abi.h"

static inline mptest_plugin_status FixtureOk(const char* request, size_t size,
                                             mptest_plugin_output* out) {
  (void)request;
  (void)size;
  (void)out;
  return MPTEST_PLUGIN_OK;
}

static inline void FixtureWrite(mptest_plugin_output* out, const char* text) {
  size_t size = 0;
  while (text[size] != '\0') ++size;
  out->write(out->host_context, text, size);
}

/* A board-driver plugin called `name` (a string literal) with `init` and `flash` (NULL allowed,
 * to make a broken plugin); the other functions are FixtureOk. */
#define FIXTURE_BOARD_PLUGIN(name, init, flash)                                                 \
  static const mptest_plugin_board_driver kFixtureBoard = {sizeof(mptest_plugin_board_driver),  \
                                                           FixtureOk,                           \
                                                           FixtureOk,                           \
                                                           FixtureOk,                           \
                                                           flash,                               \
                                                           FixtureOk,                           \
                                                           NULL,                                \
                                                           {0}};                                \
  static const mptest_plugin_descriptor kFixtureDescriptor = {MPTEST_PLUGIN_ABI_VERSION,        \
                                                              sizeof(mptest_plugin_descriptor), \
                                                              name,                             \
                                                              "1",                              \
                                                              0,                                \
                                                              init,                             \
                                                              0,                                \
                                                              &kFixtureBoard,                   \
                                                              0,                                \
                                                              {0}};                             \
  MPTEST_PLUGIN_EXPORT const mptest_plugin_descriptor* mptest_plugin_entry(void) {              \
    return &kFixtureDescriptor;                                                                 \
  }

#endif /* MPTEST_TESTDATA_PLUGINS_COMMON_BOARD_H_ */
