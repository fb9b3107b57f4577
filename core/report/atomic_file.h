// Crash-safe file writes: a reader sees either the old file or the complete new one, never a
// partial one, even when the process is killed or the disk fills up in the middle.
#ifndef MPTEST_CORE_REPORT_ATOMIC_FILE_H_
#define MPTEST_CORE_REPORT_ATOMIC_FILE_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mptest::report {

// Writes `content` to "<path>.tmp-<pid>-<n>" in the same directory (a new file, never through a
// symlink; mode 0666 less the umask and less what the directory denies), fsyncs it, renames it
// over `path` and fsyncs the directory. On any failure (ENOSPC, EFBIG, EACCES, ...) the temporary
// file is removed, `path` is left as it was, and the error names `path` and the cause.
// A process that wants EFBIG instead of being killed by SIGXFSZ must ignore SIGXFSZ.
absl::Status WriteFileAtomically(absl::string_view path, absl::string_view content);

// Copies `from` to `to` the same way, keeping its permission bits (an executable stays one),
// less the umask and never wider than `to`'s directory. Errors name the file.
absl::Status CopyFileAtomically(absl::string_view from, absl::string_view to);

// Reads a whole file, or its first `max_bytes`; the error names the file.
absl::StatusOr<std::string> ReadFile(absl::string_view path, size_t max_bytes = std::string::npos);

// The first `max_bytes` of a file, or nothing when it cannot be read (absent, unreadable): for
// files whose absence is an answer (a cache entry, an optional .exp).
std::optional<std::string> TryReadFile(absl::string_view path,
                                       size_t max_bytes = std::string::npos);

// mkdir -p with mode 0777 less the umask; the error names the directory that could not be made.
absl::Status MakeDirectories(absl::string_view path);

}  // namespace mptest::report

#endif  // MPTEST_CORE_REPORT_ATOMIC_FILE_H_
