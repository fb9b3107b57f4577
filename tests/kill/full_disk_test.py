#!/usr/bin/env python3
"""A full disk for the results directory: mptest under a 16 KiB file size limit (RLIMIT_FSIZE,
SIGXFSZ ignored, so writes fail with EFBIG as on a full disk) runs the built-in virtual lab,
whose results.json outgrows the limit. Expected (issue 14, item 7): exit 3 with a message that
names the file and says the disk or file size limit is full; the campaign ends there, as the
host's error: no attempt is retried for it and no tentacle quarantined; every JSON file present
parses; and, with space again, `mptest report` leaves no temporary file (*.tmp*) behind and
recovers every attempt that has its context_testgroup.json."""
import glob
import json
import os
import resource
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ.get("TEST_SRCDIR", ""), "mptest", "tests", "common"))
from mptest_test_util import finish, runfile  # noqa: E402

LIMIT_BYTES = 16 * 1024


def limit_file_size():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT_BYTES, LIMIT_BYTES))


def main():
    work = os.path.join(os.environ.get("TEST_TMPDIR", "/tmp"), "full_disk")
    os.makedirs(work)
    results = os.path.join(work, "results")
    argv = [runfile("tools/mptest"), "test", f"--testresults={results}",
            f"--build_cache={work}/cache", f"--lock_dir={work}/lock"]
    run = subprocess.run(argv, preexec_fn=limit_file_size, capture_output=True, text=True,
                         timeout=120, env=dict(os.environ, NO_COLOR="1"), cwd=work)
    problems = []
    if run.returncode != 3:
        problems.append(f"exit {run.returncode}, expected 3 (infrastructure error)")
    last = run.stderr.strip().splitlines()[-1] if run.stderr.strip() else ""
    if not (last.startswith("mptest: the results directory could not be written") and
            "results.json" in last and "full" in last):
        problems.append(f"the last stderr line does not explain the full disk: {last!r}")
    parsed = 0
    for path in glob.glob(os.path.join(results, "**", "*.json"), recursive=True):
        try:
            with open(path) as handle:
                json.load(handle)
            parsed += 1
        except ValueError as error:
            problems.append(f"{path} is corrupt: {error}")
    # A run child that the file-size limit killed mid-write (SIGXFSZ) may leave its temporary;
    # the report below must remove every one of them (its writer is dead).
    if parsed == 0:
        problems.append("no JSON file at all in the results directory")
    retried = glob.glob(os.path.join(results, "*,[b-z]"))
    problems += [f"an attempt was retried on the full disk: {path}" for path in retried]
    if "quarantined" in run.stdout + run.stderr:
        problems.append("a tentacle was quarantined for the host's full disk")
    # Space again: the report recovers every attempt on disk, and leaves no temporary file.
    report = subprocess.run([runfile("tools/mptest"), "report", f"--testresults={results}"],
                            capture_output=True, text=True, timeout=120, cwd=work)
    if report.returncode != 0:
        problems.append(f"mptest report: exit {report.returncode}: {report.stderr[-400:]}")
    else:
        with open(os.path.join(results, "results.json")) as handle:
            listed = {g["directory_relative"] for g in json.load(handle)["groups"]}
        on_disk = {os.path.basename(os.path.dirname(path)) for path in
                   glob.glob(os.path.join(results, "*", "context_testgroup.json"))}
        if listed != on_disk:
            problems.append(f"mptest report recovered {len(listed)} of {len(on_disk)} attempts: "
                            f"missing {sorted(on_disk - listed)[:5]}")
    leftovers = glob.glob(os.path.join(results, "**", "*.tmp*"), recursive=True)
    problems += [f"temporary file left after the report: {path}" for path in leftovers]
    print(f"full disk: exit {run.returncode}; {parsed} JSON files parse; message: {last}")
    return finish("full disk", problems)


if __name__ == "__main__":
    sys.exit(main())
