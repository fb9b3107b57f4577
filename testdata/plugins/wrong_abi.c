/* Bad plugin: built for an ABI this mptest does not support. Only the version matters: the
 * host must not read anything else. */
#include "core/api/plugin_abi.h"

static const mptest_plugin_descriptor kDescriptor = {MPTEST_PLUGIN_ABI_VERSION + 98,
                                                     sizeof(mptest_plugin_descriptor),
                                                     "wrong_abi",
                                                     "1",
                                                     0,
                                                     0,
                                                     0,
                                                     0,
                                                     0,
                                                     {0}};

MPTEST_PLUGIN_EXPORT const mptest_plugin_descriptor* mptest_plugin_entry(void) {
  return &kDescriptor;
}
