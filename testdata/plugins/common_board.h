/* Shared by the plain-C fixtures: a board driver whose functions all succeed with no output. */
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

#endif /* MPTEST_TESTDATA_PLUGINS_COMMON_BOARD_H_ */
