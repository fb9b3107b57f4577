// Misbehave: what the faulty test plugins do when a test asks them to misbehave in a method:
// crash ("crash": SIGSEGV), hang ("hang"), throw ("throw"), exit ("exit": _exit(7)) or fail
// (anything else: FAILED_PRECONDITION). Without a request it returns OK.
#ifndef MPTEST_TESTDATA_PLUGINS_MISBEHAVE_H_
#define MPTEST_TESTDATA_PLUGINS_MISBEHAVE_H_

#include <unistd.h>

#include <stdexcept>
#include <string>

#include "absl/status/status.h"

namespace mptest_testdata {

// `how` is the test's request for `method` ("" or absent: behave).
inline absl::Status Misbehave(const std::string& how, const std::string& method) {
  if (how.empty()) return absl::OkStatus();
  if (how == "crash") {
    volatile int* null = nullptr;
    *null = 1;
  }
  if (how == "hang") {
    for (;;) pause();
  }
  if (how == "throw") throw std::runtime_error(method + " threw as asked");
  if (how == "exit") _exit(7);
  return absl::FailedPreconditionError(method + " failed as asked");
}

// The request for `method` in a map (an inventory entry's tags, a spec's env), "" if none.
template <typename Map>
std::string Requested(const Map& requests, const std::string& method) {
  auto found = requests.find(method);
  return found == requests.end() ? std::string() : found->second;
}

}  // namespace mptest_testdata

#endif  // MPTEST_TESTDATA_PLUGINS_MISBEHAVE_H_
