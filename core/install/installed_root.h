// Where an installed mptest finds what a Bazel-run mptest finds in its runfiles. `./bazelw run
// //:install -- --prefix=P` puts the binary at P/bin/mptest and the runfiles' mptest/ tree at
// P/lib/mptest/ (boards/, testdata/, plugins/ with the built-in plugin manifest, the plugin
// checker, the virtual board), so P/lib is that binary's runfiles root. A binary Bazel runs
// (bazel run, bazel test, bazel-bin/...) has no such tree beside it and uses its runfiles.
#ifndef MPTEST_CORE_INSTALL_INSTALLED_ROOT_H_
#define MPTEST_CORE_INSTALL_INSTALLED_ROOT_H_

#include <memory>
#include <string>

#include "tools/cpp/runfiles/runfiles.h"

namespace mptest::install {

// The running program's file (/proc/self/exe, symlinks resolved); "" if it cannot be read.
std::string SelfExecutable();

// The runfiles root of the installed tree `executable` (an absolute path) is part of: P/lib
// for P/bin/mptest when P/lib/mptest is a directory, else "". "" stands for the running program.
std::string InstalledRunfilesRoot(const std::string& executable = "");

// mptest's runfiles, through Bazel's runfiles library: an installed mptest's tree (above), else
// what Bazel gave the program (RUNFILES_DIR or a manifest from the environment, or the
// <argv0>.runfiles beside it). nullptr, with `error`, when it has none.
std::unique_ptr<bazel::tools::cpp::runfiles::Runfiles> OpenRunfiles(const std::string& argv0,
                                                                    std::string* error);

// A file or directory shipped with mptest: `path` relative to the workspace (e.g.
// "testdata/specs"), located in OpenRunfiles(argv0) when it is there, else `path` itself
// (relative to the working directory, as in a test's runfiles tree).
std::string Runfile(const std::string& argv0, const std::string& path);

// mptest's cache directory for this user (firmware builds, test checkouts, plugin verdicts):
// $XDG_CACHE_HOME/mptest, else $HOME/.cache/mptest, else "" (neither is set).
std::string UserCacheDirectory();

}  // namespace mptest::install

#endif  // MPTEST_CORE_INSTALL_INSTALLED_ROOT_H_
