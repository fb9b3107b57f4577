// Checking out git specs into a cache directory; see git_checkout.h.
#include "core/gitspec/git_checkout.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/gitspec/file_lock.h"
#include "core/gitspec/stable_hash.h"
#include "core/process/subprocess.h"

namespace mptest {
namespace {

namespace fs = std::filesystem;

void AppendToLog(const std::string& log_path, absl::string_view text) {
  if (log_path.empty()) return;
  std::ofstream log(log_path, std::ios::app);
  log << text;
}

bool IsRemoteUrl(absl::string_view url) {
  return absl::StartsWith(url, "https://") || absl::StartsWith(url, "http://") ||
         absl::StartsWith(url, "ssh://") || absl::StartsWith(url, "git://") ||
         (url.find(':') != absl::string_view::npos && !absl::StartsWith(url, "/") &&
          !absl::StartsWith(url, "file://"));
}

// `git describe --all --long --dirty --always`, or "" when git cannot say.
std::string Describe(const std::string& dir) {
  absl::StatusOr<std::string> describe =
      RunGit(dir, {"describe", "--all", "--long", "--dirty", "--always"});
  return describe.ok() ? std::string(absl::StripAsciiWhitespace(*describe)) : "";
}

// The commit a ref names after a fetch: a remote branch, a tag, or a commit id.
absl::StatusOr<std::string> ResolveRef(const std::string& dir, const GitSpec& spec,
                                       const CheckoutOptions& options) {
  for (const std::string& candidate : {absl::StrCat("refs/remotes/origin/", spec.ref),
                                       absl::StrCat("refs/tags/", spec.ref), spec.ref}) {
    absl::StatusOr<std::string> commit =
        RunGit(dir, {"rev-parse", "--verify", "--quiet", candidate + "^{commit}"}, options.timeout);
    if (commit.ok()) return std::string(absl::StripAsciiWhitespace(*commit));
  }
  // A commit that no branch or tag reaches: ask the server for it directly.
  if (RunGit(dir, {"fetch", "--quiet", "origin", spec.ref}, options.timeout, options.log_path)
          .ok()) {
    absl::StatusOr<std::string> commit =
        RunGit(dir, {"rev-parse", "--verify", "FETCH_HEAD^{commit}"}, options.timeout);
    if (commit.ok()) return std::string(absl::StripAsciiWhitespace(*commit));
  }
  return absl::NotFoundError(absl::StrCat("git spec '", FormatGitSpec(spec), "': ref '", spec.ref,
                                          "' is neither a branch, a tag nor a commit of ",
                                          spec.url));
}

// Clones the repository into dir, or updates the existing clone there.
absl::Status CloneOrFetch(const GitSpec& spec, const std::string& dir,
                          const CheckoutOptions& options) {
  std::error_code error;
  if (fs::exists(fs::path(dir) / ".git", error)) {
    absl::StatusOr<std::string> out =
        RunGit(dir, {"remote", "set-url", "origin", spec.url}, options.timeout);
    if (out.ok()) {
      out = RunGit(dir, {"fetch", "--quiet", "--tags", "--force", "--prune", "origin"},
                   options.timeout, options.log_path);
    }
    if (out.ok()) {
      RunGit(dir, {"remote", "set-head", "origin", "--auto"}, options.timeout).IgnoreError();
      return absl::OkStatus();
    }
    // A broken clone (interrupted earlier): start over.
  }
  fs::remove_all(dir, error);
  std::vector<std::string> args = {"clone", "--quiet", "--no-checkout"};
  if (IsRemoteUrl(spec.url)) args.push_back("--filter=blob:none");
  args.push_back(spec.url);
  args.push_back(dir);
  absl::StatusOr<std::string> out =
      RunGit(fs::path(dir).parent_path().string(), args, options.timeout, options.log_path);
  if (!out.ok()) {
    return absl::UnavailableError(absl::StrCat("git spec '", FormatGitSpec(spec),
                                               "': cannot clone: ", out.status().message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<Checkout> CheckoutClone(const GitSpec& spec, const CheckoutOptions& options) {
  if (options.cache_dir.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("git spec '", FormatGitSpec(spec), "' needs a cache directory to clone into"));
  }
  const fs::path git_root = fs::absolute(fs::path(options.cache_dir) / "git");
  std::error_code error;
  fs::create_directories(git_root, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot create ", git_root.string(), ": ", error.message()));
  }
  const std::string dir = (git_root / (options.prefix + GitSpecSlug(spec))).string();
  absl::StatusOr<FileLock> lock = FileLock::Acquire(dir + ".lock");
  if (!lock.ok()) return lock.status();
  if (absl::Status status = CloneOrFetch(spec, dir, options); !status.ok()) return status;

  auto fail = [&spec](absl::string_view what, const absl::Status& status) {
    return absl::Status(status.code(), absl::StrCat("git spec '", FormatGitSpec(spec), "': ", what,
                                                    ": ", status.message()));
  };
  std::string pr_ref;
  if (!spec.pr.empty()) {
    pr_ref = absl::StrCat("refs/mptest/pr/", spec.pr);
    absl::StatusOr<std::string> out =
        RunGit(dir,
               {"fetch", "--quiet", "--force", "origin",
                absl::StrCat("+refs/pull/", spec.pr, "/head:", pr_ref)},
               options.timeout, options.log_path);
    if (!out.ok()) {
      return fail(absl::StrCat("cannot fetch pull request ", spec.pr), out.status());
    }
  }
  std::string base = "refs/remotes/origin/HEAD";
  if (!spec.ref.empty()) {
    absl::StatusOr<std::string> commit = ResolveRef(dir, spec, options);
    if (!commit.ok()) return commit.status();
    base = *commit;
  }
  Checkout checkout;
  checkout.path = dir;
  const std::string target = pr_ref.empty() ? base : pr_ref;
  absl::StatusOr<std::string> out =
      RunGit(dir, {"checkout", "--quiet", "--force", "--detach", target}, options.timeout,
             options.log_path);
  if (!out.ok()) return fail(absl::StrCat("cannot check out ", target), out.status());
  if (!pr_ref.empty() && !spec.ref.empty()) {
    out = RunGit(
        dir,
        {"-c", "user.name=mptest", "-c", "user.email=mptest@localhost", "rebase", "--quiet", base},
        options.timeout, options.log_path);
    if (!out.ok()) {
      RunGit(dir, {"rebase", "--abort"}, options.timeout).IgnoreError();
      return fail(absl::StrCat("pull request ", spec.pr, " does not rebase onto '", spec.ref, "'"),
                  out.status());
    }
    checkout.rebased = true;
  }
  // Untracked files left by an earlier checkout go; ignored ones (build outputs) stay so that
  // make can be incremental.
  out = RunGit(dir, {"clean", "-ffdq"}, options.timeout, options.log_path);
  if (!out.ok()) return fail("cannot clean the work tree", out.status());
  absl::StatusOr<std::string> head = RunGit(dir, {"rev-parse", "HEAD"}, options.timeout);
  if (!head.ok()) return head.status();
  checkout.commit = std::string(absl::StripAsciiWhitespace(*head));
  checkout.describe = Describe(dir);
  return checkout;
}

}  // namespace

absl::StatusOr<std::string> RunGit(const std::string& dir, const std::vector<std::string>& args,
                                   absl::Duration timeout, const std::string& log_path) {
  process::CommandOptions command;
  command.argv = {"git", "-C", dir};
  command.argv.insert(command.argv.end(), args.begin(), args.end());
  command.env_set = {{"GIT_TERMINAL_PROMPT", "0"}, {"GIT_ASKPASS", "true"}, {"LC_ALL", "C"}};
  command.env_unset = {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"};
  command.timeout = timeout;
  const std::string text = absl::StrJoin(command.argv, " ");
  absl::StatusOr<process::CommandResult> result = process::RunCommand(command);
  if (!result.ok()) return result.status();
  AppendToLog(log_path,
              absl::StrCat("$ ", text, "\n", result->output, "(", result->Describe(), ")\n"));
  if (!result->ok()) {
    return absl::UnknownError(absl::StrCat("`", text, "` ", result->Describe(), ": ",
                                           absl::StripAsciiWhitespace(result->output)));
  }
  return result->output;
}

absl::StatusOr<WorkTreeState> GetWorkTreeState(const std::string& dir) {
  // A directory inside some other repository is not a work tree of its own.
  absl::StatusOr<std::string> top = RunGit(dir, {"rev-parse", "--show-toplevel"});
  if (!top.ok()) return top.status();
  std::error_code error;
  if (!fs::equivalent(std::string(absl::StripAsciiWhitespace(*top)), dir, error)) {
    return absl::FailedPreconditionError(
        absl::StrCat(dir, " is not the top of a git work tree (it is inside ",
                     absl::StripAsciiWhitespace(*top), ")"));
  }
  absl::StatusOr<std::string> head = RunGit(dir, {"rev-parse", "HEAD"});
  if (!head.ok()) return head.status();
  WorkTreeState state;
  state.commit = std::string(absl::StripAsciiWhitespace(*head));
  absl::StatusOr<std::string> diff = RunGit(dir, {"diff", "HEAD", "--binary"});
  if (!diff.ok()) return diff.status();
  absl::StatusOr<std::string> untracked =
      RunGit(dir, {"ls-files", "--others", "--exclude-standard", "-z"});
  if (!untracked.ok()) return untracked.status();
  if (diff->empty() && untracked->empty()) {
    state.diff_hash = "clean";
    return state;
  }
  uint64_t hash = StableHashUpdate(kStableHashSeed, *diff);
  for (absl::string_view name : absl::StrSplit(*untracked, '\0', absl::SkipEmpty())) {
    std::ifstream file(fs::path(dir) / std::string(name), std::ios::binary);
    std::stringstream content;
    content << file.rdbuf();
    hash = StableHashUpdate(hash, name);
    hash = StableHashUpdate(hash, std::string(1, '\0'));
    hash = StableHashUpdate(hash, content.str());
  }
  state.diff_hash = StableHashHex(hash);
  return state;
}

absl::StatusOr<Checkout> CheckoutGitSpec(const GitSpec& spec, const CheckoutOptions& options) {
  if (!spec.local_directory) return CheckoutClone(spec, options);
  std::error_code error;
  if (!fs::is_directory(spec.url, error)) {
    return absl::NotFoundError(absl::StrCat("git spec '", spec.url,
                                            "': no such directory (expected a micropython "
                                            "checkout, or a URL to clone)"));
  }
  Checkout checkout;
  checkout.path = fs::absolute(spec.url).lexically_normal().string();
  if (absl::StatusOr<std::string> head = RunGit(checkout.path, {"rev-parse", "HEAD"}); head.ok()) {
    checkout.commit = std::string(absl::StripAsciiWhitespace(*head));
    checkout.describe = Describe(checkout.path);
  }
  return checkout;
}

}  // namespace mptest
