// Git spec parsing: see gitspec.h for the syntax.
#include "core/gitspec/gitspec.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "core/gitspec/stable_hash.h"

namespace mptest {
namespace {

bool IsControlOrSpace(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || u == 0x7f;
}

// Length of a "scheme://" prefix (including "://"), or 0.
size_t SchemePrefixLength(absl::string_view spec) {
  const size_t colon = spec.find("://");
  if (colon == absl::string_view::npos || colon == 0) return 0;
  if (!absl::ascii_isalpha(spec[0])) return 0;
  for (size_t i = 1; i < colon; ++i) {
    const char c = spec[i];
    if (!absl::ascii_isalnum(c) && c != '+' && c != '-' && c != '.') return 0;
  }
  return colon + 3;
}

// Where the repository path starts: after "scheme://authority", after "host:" of an
// scp-like address, or 0 for a local path. Sets *local when the spec is a local path.
size_t PathStart(absl::string_view spec, bool* local) {
  *local = false;
  if (const size_t scheme = SchemePrefixLength(spec); scheme != 0) {
    const size_t slash = spec.find('/', scheme);
    return slash == absl::string_view::npos ? spec.size() : slash;
  }
  const size_t colon = spec.find(':');
  const size_t slash = spec.find('/');
  if (colon != absl::string_view::npos && colon > 0 &&
      (slash == absl::string_view::npos || colon < slash)) {
    return colon + 1;  // user@host:path
  }
  *local = true;
  return 0;
}

bool IsPositiveNumber(absl::string_view text) {
  if (text.empty() || text.size() > 10 || text[0] == '0') return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

}  // namespace

absl::Status ValidateRefName(absl::string_view ref) {
  auto bad = [ref](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid git ref '", ref, "': ", why,
                     " (expected a branch, tag or commit, as git check-ref-format allows)"));
  };
  if (ref.empty()) return bad("it is empty");
  if (ref[0] == '-') return bad("it starts with '-'");
  if (ref == "@") return bad("'@' alone is not a ref");
  for (char c : ref) {
    if (IsControlOrSpace(c)) return bad("it contains a space or control character");
    if (absl::string_view("~^:?*[\\").find(c) != absl::string_view::npos) {
      return bad(absl::StrCat("it contains '", std::string(1, c), "'"));
    }
  }
  if (absl::StrContains(ref, "..")) return bad("it contains '..'");
  if (absl::StrContains(ref, "@{")) return bad("it contains '@{'");
  if (ref.front() == '/' || ref.back() == '/') return bad("it starts or ends with '/'");
  if (ref.back() == '.') return bad("it ends with '.'");
  for (absl::string_view component : absl::StrSplit(ref, '/')) {
    if (component.empty()) return bad("it contains '//'");
    if (component[0] == '.') return bad("a component starts with '.'");
    if (absl::EndsWith(component, ".lock")) return bad("a component ends with '.lock'");
  }
  return absl::OkStatus();
}

absl::StatusOr<GitSpec> ParseGitSpec(absl::string_view spec) {
  auto bad = [spec](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid git spec '", absl::CHexEscape(spec), "': ", why,
                     " (expected <dir>, <url>, <url>@<ref>, <url>~<PR> or <url>~<PR>@<ref>)"));
  };
  if (spec.empty()) return bad("it is empty");
  if (spec[0] == '-') return bad("it starts with '-'");
  for (char c : spec) {
    if (IsControlOrSpace(c)) return bad("it contains a space or control character");
  }
  bool local = false;
  const size_t path_start = PathStart(spec, &local);

  GitSpec result;
  absl::string_view head = spec;
  if (const size_t at = spec.find('@', path_start); at != absl::string_view::npos) {
    result.ref = std::string(spec.substr(at + 1));
    head = spec.substr(0, at);
    if (result.ref.empty()) return bad("nothing follows '@'");
    if (absl::Status status = ValidateRefName(result.ref); !status.ok()) {
      return bad(status.message());
    }
  }
  // The last '~' after the path start whose tail has no '/' separates the PR. A leading
  // '~' (a home directory) and '~' inside the path (https://host/~user/repo) do not.
  const size_t tilde = head.rfind('~');
  if (tilde != absl::string_view::npos && tilde >= path_start && tilde > 0 &&
      head.substr(tilde + 1).find('/') == absl::string_view::npos) {
    const absl::string_view pr = head.substr(tilde + 1);
    if (!IsPositiveNumber(pr)) {
      return bad(
          absl::StrCat("the pull request after '~' must be a positive number, got '", pr, "'"));
    }
    result.pr = std::string(pr);
    head = head.substr(0, tilde);
  }
  if (head.empty()) return bad("the repository URL or path is empty");
  if (head.size() <= path_start && !local) return bad("the repository URL has no path");
  result.url = std::string(head);
  result.local_directory = local && result.pr.empty() && result.ref.empty();
  return result;
}

std::string FormatGitSpec(const GitSpec& spec) {
  std::string text = spec.url;
  if (!spec.pr.empty()) absl::StrAppend(&text, "~", spec.pr);
  if (!spec.ref.empty()) absl::StrAppend(&text, "@", spec.ref);
  return text;
}

std::string GitSpecSlug(const GitSpec& spec) {
  absl::string_view name = spec.url;
  while (absl::ConsumeSuffix(&name, "/")) {
  }
  if (const size_t cut = name.find_last_of("/:"); cut != absl::string_view::npos) {
    name = name.substr(cut + 1);
  }
  absl::ConsumeSuffix(&name, ".git");
  std::string readable;
  for (char c : name.substr(0, 40)) {
    readable.push_back(absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' ? c : '_');
  }
  if (readable.empty() || readable[0] == '.') readable.insert(0, "repo");
  return absl::StrFormat("%s-%016x", readable, StableHash64(FormatGitSpec(spec)));
}

}  // namespace mptest
