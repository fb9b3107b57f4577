// The micropython_make builder; see micropython_make_builder.h.
#include "plugins/builders/micropython_make/micropython_make_builder.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "core/gitspec/file_lock.h"
#include "core/gitspec/git_checkout.h"
#include "core/gitspec/gitspec.h"
#include "core/gitspec/stable_hash.h"
#include "core/process/subprocess.h"
#include "core/report/atomic_file.h"
#include "plugins/builders/micropython_make/build_cache.h"
#include "plugins/builders/micropython_make/build_plan.h"
#include "plugins/builders/micropython_make/make_progress.h"
#include "plugins/builders/micropython_make/version_info.h"

namespace mptest::micropython_make {
namespace {

namespace fs = std::filesystem;

// The last `lines` lines of a log file, for error messages.
std::string LogTail(const std::string& path, int lines) {
  const std::optional<std::string> text = report::TryReadFile(path);
  if (!text) return "";
  std::vector<absl::string_view> all = absl::StrSplit(*text, '\n', absl::SkipEmpty());
  const size_t start = all.size() > static_cast<size_t>(lines) ? all.size() - lines : 0;
  return absl::StrJoin(all.begin() + start, all.end(), "\n");
}

// A human name for errors: "board RPI_PICO2 variant RISCV".
std::string Describe(const proto::BuildRequest& request) {
  std::string text = absl::StrCat("board ", request.board().name());
  if (!request.variant().empty()) absl::StrAppend(&text, " variant ", request.variant());
  return text;
}

// Runs one build command in the tree with its output in log_path, reporting it as `step` with
// the files compiled so far (Builder::ReportProgress).
absl::Status RunStep(const Builder& builder, const std::string& step,
                     const std::vector<std::string>& argv, const std::string& tree,
                     const std::string& log_path, absl::Duration timeout,
                     const proto::BuildRequest& request) {
  MakeProgress progress(
      step, [&builder](const proto::BuildProgress& report) { builder.ReportProgress(report); });
  process::CommandOptions command;
  command.argv = argv;
  command.cwd = tree;
  command.stdout_path = log_path;
  command.timeout = timeout;
  command.on_line = [&progress](absl::string_view line) { progress.Line(line); };
  // A micropython tree found through the environment would override the one we build.
  command.env_unset = {"MICROPY_DIR", "MAKEFLAGS", "MFLAGS"};
  absl::StatusOr<process::CommandResult> result = process::RunCommand(command);
  progress.Finish();
  if (!result.ok()) {
    return absl::Status(result.status().code(),
                        absl::StrCat(Describe(request), ": cannot run `", absl::StrJoin(argv, " "),
                                     "`: ", result.status().message()));
  }
  if (!result->ok()) {
    return absl::AbortedError(absl::StrCat(Describe(request), ": `", absl::StrJoin(argv, " "), "` ",
                                           result->Describe(), "; log: ", log_path, "\n",
                                           LogTail(log_path, 20)));
  }
  return absl::OkStatus();
}

std::vector<std::string> WithTree(const std::vector<std::string>& argv, const std::string& tree) {
  std::vector<std::string> out;
  out.reserve(argv.size());
  for (const std::string& arg : argv) out.push_back(absl::StrReplaceAll(arg, {{"{tree}", tree}}));
  return out;
}

absl::StatusOr<std::string> MakeOutputDir(const proto::BuildRequest& request,
                                          const BuildPlan& plan) {
  const std::string dir =
      request.output_dir().empty()
          ? (fs::path(request.cache_dir()) / "build-logs" / plan.build_name).string()
          : request.output_dir();
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) return absl::InternalError(absl::StrCat("cannot create ", dir, ": ", error.message()));
  return dir;
}

}  // namespace

MicropythonMakeBuilder::MicropythonMakeBuilder(BuilderOptions options) : options_(options) {
  if (options_.cores <= 0) options_.cores = static_cast<int>(std::thread::hardware_concurrency());
}

absl::StatusOr<proto::Firmware> MicropythonMakeBuilder::Build(const proto::BuildRequest& request) {
  if (request.cache_dir().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Describe(request), ": the build request has no cache_dir"));
  }
  absl::StatusOr<GitSpec> spec = ParseGitSpec(request.source());
  if (!spec.ok()) return spec.status();
  const std::vector<std::string> args(request.args().begin(), request.args().end());
  absl::StatusOr<BuildPlan> plan = PlanBuild(request.board(), request.variant(), args,
                                             BoundedJobs(request.jobs(), options_.cores));
  if (!plan.ok()) return plan.status();
  absl::StatusOr<std::string> output_dir = MakeOutputDir(request, *plan);
  if (!output_dir.ok()) return output_dir.status();

  ReportStep("checkout");
  CheckoutOptions checkout_options;
  checkout_options.cache_dir = request.cache_dir();
  checkout_options.prefix = "firmware_";
  checkout_options.timeout = options_.git_timeout;
  checkout_options.log_path = (fs::path(*output_dir) / "git.log").string();
  absl::StatusOr<Checkout> checkout = CheckoutGitSpec(*spec, checkout_options);
  if (!checkout.ok()) return checkout.status();
  const std::string tree = checkout->path;
  if (!fs::is_directory(fs::path(tree) / "ports" / plan->port)) {
    return absl::NotFoundError(absl::StrCat(Describe(request), ": ", tree, " has no ports/",
                                            plan->port, " (expected a micropython checkout)"));
  }

  // One build at a time per tree: builds share mpy-cross and the tree's generated files.
  std::error_code cache_error;
  fs::create_directories(request.cache_dir(), cache_error);
  if (cache_error) {
    return absl::FailedPreconditionError(
        absl::StrCat(Describe(request), ": cannot create the build cache ", request.cache_dir(),
                     ": ", cache_error.message()));
  }
  absl::StatusOr<FileLock> tree_lock =
      FileLock::Acquire((fs::path(request.cache_dir()) /
                         absl::StrCat("tree-", StableHashHex(StableHash64(tree)), ".lock"))
                            .string());
  if (!tree_lock.ok()) return tree_lock.status();

  // The cache key needs the tree's state; a tree that is not a git work tree is never cached.
  const BuildCache cache(request.cache_dir());
  std::optional<std::string> key;
  absl::StatusOr<WorkTreeState> state = GetWorkTreeState(tree);
  if (state.ok()) {
    key = BuildKey({state->commit, state->diff_hash, plan->port, request.board().name(),
                    request.variant(), args,
                    std::vector<std::string>(request.board().build_prefix().begin(),
                                             request.board().build_prefix().end())});
    absl::StatusOr<std::optional<proto::Firmware>> hit = cache.Lookup(*key);
    if (!hit.ok()) return hit.status();
    if (hit->has_value()) {
      proto::Firmware firmware = **hit;
      firmware.set_from_cache(true);
      return ExportFirmware(firmware, request.output_dir());
    }
  }

  const auto timeout = options_.make_timeout;
  const fs::path mpy_cross_stamp = fs::path(tree) / "mpy-cross" / "build" / ".mptest-built";
  const std::string tree_state =
      state.ok() ? absl::StrCat(state->commit, " ", state->diff_hash) : "";
  const bool mpy_cross_current = !tree_state.empty() &&
                                 fs::exists(fs::path(tree) / plan->mpy_cross) &&
                                 report::TryReadFile(mpy_cross_stamp.string()) == tree_state;
  if (!mpy_cross_current) {
    if (absl::Status status =
            RunStep(*this, "mpy-cross", WithTree(plan->mpy_cross_argv, tree), tree,
                    (fs::path(*output_dir) / "mpy-cross.log").string(), timeout, request);
        !status.ok()) {
      return status;
    }
    std::ofstream(mpy_cross_stamp) << tree_state;
  }
  if (!spec->local_directory) {  // a fresh clone has no submodules yet
    if (absl::Status status =
            RunStep(*this, "submodules", WithTree(plan->submodules_argv, tree), tree,
                    (fs::path(*output_dir) / "submodules.log").string(), timeout, request);
        !status.ok()) {
      return status;
    }
  }
  const std::string build_log = (fs::path(*output_dir) / "build.log").string();
  if (absl::Status status = RunStep(*this, "make", WithTree(plan->make_argv, tree), tree, build_log,
                                    timeout, request);
      !status.ok()) {
    return status;
  }

  const fs::path artifact = fs::path(tree) / plan->artifact;
  if (!fs::exists(artifact)) {
    return absl::NotFoundError(absl::StrCat(Describe(request), ": make succeeded but left no ",
                                            artifact.string(), "; log: ", build_log));
  }
  const fs::path header_path = fs::path(tree) / plan->mpversion_header;
  const std::optional<std::string> header_text = report::TryReadFile(header_path.string());
  if (!header_text) {
    return absl::NotFoundError(absl::StrCat(Describe(request), ": the build left no ",
                                            header_path.string(), "; log: ", build_log));
  }
  absl::StatusOr<MpversionHeader> header = ParseMpversionHeader(*header_text, header_path.string());
  if (!header.ok()) return header.status();
  const std::string python_level = PythonLevelFromModsys(
      report::TryReadFile((fs::path(tree) / "py" / "modsys.c").string()).value_or(""));

  proto::Firmware firmware;
  firmware.set_board(request.board().name());
  firmware.set_variant(request.variant());
  firmware.set_path(artifact.string());
  firmware.set_version(ReportedVersion(plan->build_name, python_level, *header));
  firmware.set_kind(plan->kind);
  firmware.set_source_revision(!state.ok() ? ""
                               : state->diff_hash == "clean"
                                   ? state->commit
                                   : absl::StrCat(state->commit, "+", state->diff_hash));
  firmware.set_build_log(build_log);
  if (fs::exists(fs::path(tree) / plan->mpy_cross)) {
    firmware.set_mpy_cross((fs::path(tree) / plan->mpy_cross).string());
  }
  if (key) {
    absl::StatusOr<proto::Firmware> stored = cache.Store(*key, firmware);
    if (!stored.ok()) return stored.status();
    firmware = *stored;
  }
  return ExportFirmware(firmware, request.output_dir());
}

}  // namespace mptest::micropython_make
