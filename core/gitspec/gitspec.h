// Git specs: where a micropython checkout comes from.
//
// Syntax (the anchor's git_cached_repo, made strict):
//   <dir>                  a local checkout, used in place (working-tree changes included)
//   <url>                  the repository's default branch
//   <url>@<ref>            a branch, tag or commit
//   <url>~<PR>             pull request PR (refs/pull/<PR>/head of the repository)
//   <url>~<PR>@<ref>       pull request PR rebased onto ref
// <url> is a scheme URL (https://, http://, ssh://, git://, file://), an scp-like address
// (git@github.com:micropython/micropython.git) or a local path. A local path with neither
// ~PR nor @ref is a directory used in place; with either it is cloned like a URL. '~' is
// illegal in git ref names, which is why it separates the PR.
#ifndef MPTEST_CORE_GITSPEC_GITSPEC_H_
#define MPTEST_CORE_GITSPEC_GITSPEC_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mptest {

struct GitSpec {
  // The repository (URL, scp-like address or path) without the ~PR and @ref parts.
  std::string url;
  // Pull-request number, digits only; empty when the spec names no PR.
  std::string pr;
  // Branch, tag or commit; empty = the default branch (or, with a PR, the PR head as is).
  std::string ref;
  // True when the spec is a plain local directory to be used in place (no clone).
  bool local_directory = false;

  bool operator==(const GitSpec& other) const {
    return url == other.url && pr == other.pr && ref == other.ref &&
           local_directory == other.local_directory;
  }
};

// Parses a git spec. Errors name the spec and what is wrong in it (empty URL, a PR that is
// not a positive number, a ref git would reject).
absl::StatusOr<GitSpec> ParseGitSpec(absl::string_view spec);

// The canonical text of a spec: ParseGitSpec(FormatGitSpec(s)) == s for every parsed s.
std::string FormatGitSpec(const GitSpec& spec);

// Checks a ref name with git's rules (git check-ref-format, plus: no leading '-', so a ref
// can never be taken for a command-line option). Empty is invalid.
absl::Status ValidateRefName(absl::string_view ref);

// A file-name-safe, stable, readable name for a spec, for cache directories:
// "micropython-3f2a9c1e0b7d4a55" (last path component of the URL + a hash of the whole spec).
std::string GitSpecSlug(const GitSpec& spec);

}  // namespace mptest

#endif  // MPTEST_CORE_GITSPEC_GITSPEC_H_
