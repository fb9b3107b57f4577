// mptest_plugin_check: loads one plugin and says whether it is usable. mptest runs it in a child
// process for every plugin file that is new or changed (child_check.h), so that a plugin that
// crashes or hangs while loading is reported instead of taking mptest down.
//
//   mptest_plugin_check PLUGIN.so    exit 0: usable; 1: rejected (the reason on stdout)
#include <iostream>

#include "core/plugin/child_check.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: mptest_plugin_check PLUGIN.so" << std::endl;
    return 2;
  }
  return mptest::plugin::RunCheckerMain(argv[1]);
}
