// main() for gtest binaries that use the spawn context: a spawned child runs its registered
// target and exits here, before gtest parses flags or runs anything.
#include "core/process/child_runner.h"
#include "gtest/gtest.h"

int main(int argc, char** argv) {
  mptest::process::RunSpawnedChildIfRequested();
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
