#!/usr/bin/env python3
"""Too few file descriptors (issue 14, "host failures are not board failures"): mptest runs the
built-in virtual lab under a low open-file limit (`ulimit -n`, soft and hard). The limit is
found first: the lowest one (in steps of 2) under which the whole campaign passes. Under that
limit less 2, 4, 6 and 8 descriptors the campaign starts and, in at least two of them, runs out
of them on the way (peak use depends on how runs overlap, so one just below may still fit).
Expected, under each that runs out: exit 3; stderr is one line that says the campaign ended on a host error,
too many open files, and names the limit; no tentacle is quarantined; no attempt is retried;
results.json holds every attempt directory on disk and its summary counts the errored ones."""
import glob
import json
import os
import resource
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ.get("TEST_SRCDIR", ""), "mptest", "tests", "common"))
from mptest_test_util import finish, runfile  # noqa: E402

WORK = os.path.join(os.environ.get("TEST_TMPDIR", "/tmp"), "open_files")


RUNS = []


def run(limit):
    """The campaign under an open-file limit of `limit`: (exit code, stdout, stderr, results).
    Every run starts afresh (its own results, build cache and locks): a cache that an earlier
    run at the same limit filled would need fewer descriptors and pass where the search's run
    failed."""
    RUNS.append(limit)
    key = f"{limit}-{len(RUNS)}"
    results = os.path.join(WORK, f"results-{key}")

    def limit_descriptors():
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    argv = [runfile("tools/mptest"), "test", f"--testresults={results}",
            f"--build_cache={WORK}/cache-{key}", f"--lock_dir={WORK}/lock-{key}"]
    done = subprocess.run(argv, preexec_fn=limit_descriptors, capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, NO_COLOR="1"), cwd=WORK)
    return done.returncode, done.stdout, done.stderr, results


def check(limit):
    """Problems of a campaign under `limit`, and whether it ran out of descriptors. Peak
    descriptor use depends on how many runs overlap, so a limit just below the one the search
    found may still fit: a clean pass (exit 0) is then no problem, only not a run-out."""
    code, stdout, stderr, results = run(limit)
    name = f"ulimit -n {limit}"
    if code == 0 and not stderr.strip():
        print(f"{name}: exit 0 (it fitted this time)")
        return [], False
    problems = []
    if code != 3:
        problems.append(f"{name}: exit {code}, want 3 (infrastructure error)")
    lines = [line for line in stderr.splitlines() if line.strip()]
    # Out of descriptors while it ran ("the campaign ended early on a host error (not a
    # board's): too many open files (...)") or already while its tentacles came up.
    want = f"too many open files (the open-file limit, ulimit -n, is {limit})"
    if len(lines) != 1 or not lines[0].startswith("mptest: ") or want not in lines[0]:
        problems.append(f"{name}: stderr is not one line saying so: {stderr[-800:]!r}")
    if "quarantined" in stdout + stderr:
        problems.append(f"{name}: a tentacle was quarantined for the host's lack of descriptors")
    problems += [f"{name}: an attempt was retried: {path}"
                 for path in glob.glob(os.path.join(results, "*,[b-z]"))]
    try:
        with open(os.path.join(results, "results.json")) as handle:
            data = json.load(handle)
    except (OSError, ValueError) as error:
        return problems + [f"{name}: no readable results.json: {error}"], True
    groups = data["groups"]
    listed = {group["directory_relative"] for group in groups}
    on_disk = {os.path.basename(os.path.dirname(path)) for path in
               glob.glob(os.path.join(results, "*", "context_testgroup.json"))}
    if not on_disk <= listed:
        problems.append(f"{name}: attempts on disk missing from results.json: "
                        f"{sorted(on_disk - listed)[:5]}")
    errored = sum(1 for group in groups if group.get("msg_error"))
    if data["summary"].get("groups_errored", 0) != errored:
        problems.append(f"{name}: summary.groups_errored {data['summary'].get('groups_errored')}"
                        f" but {errored} errored groups in results.json")
    print(f"{name}: exit {code}; {len(groups)} attempts, {errored} errored; "
          f"{lines[-1] if lines else ''}")
    return problems, True


def main():
    os.makedirs(WORK)
    fits = None
    for limit in range(12, 257, 2):
        code, _, _, _ = run(limit)
        if code == 0:
            fits = limit
            break
    if fits is None:
        return finish("open files", ["the campaign did not pass under any limit up to 256"])
    print(f"the campaign passes with ulimit -n {fits}")
    problems = []
    ran_out = 0
    for less in (2, 4, 6, 8):
        found, out = check(fits - less)
        problems += found
        ran_out += out
    if ran_out < 2:
        problems.append(f"only {ran_out} of the campaigns under ulimit -n {fits - 8}..{fits - 2} "
                        "ran out of descriptors: the checks saw too little")
    # So few that not even the results directory opens: still the host's error (exit 3), in
    # one line, before anything runs.
    code, _, stderr, _ = run(6)
    lines = [line for line in stderr.splitlines() if line.strip()]
    if code != 3 or len(lines) != 1 or "Too many open files" not in lines[0]:
        problems.append(f"ulimit -n 6: exit {code}, stderr {stderr[-600:]!r}; want exit 3 and "
                        "one line naming too many open files")
    return finish("open files", problems)


if __name__ == "__main__":
    sys.exit(main())
