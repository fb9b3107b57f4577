#!/usr/bin/env python3
"""SIGTERM in the middle of a campaign ends the running runs as interrupted (issue 14, item 4).

A virtual lab of 4 tentacles with slow lines runs 40 groups. Once a run is under way on every
tentacle, mptest gets SIGTERM (and, in the second case, a second SIGTERM 0.2 s
later). Expected: exit 3 within 30 s; the runs under way at the signal are interrupted
(msg_interrupted), not errored; no attempt starts after the signal (no retry); nothing is
quarantined; results.json counts them (summary.groups_interrupted), junit.xml has them as
skipped with type "interrupted", report.md lists them; results.json holds exactly the attempt
directories on disk (consistent without `mptest report`).
"""
import glob
import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree

sys.path.insert(0, os.path.join(os.environ.get("TEST_SRCDIR", ""), "mptest", "tests", "common"))
from mptest_test_util import finish, runfile, wait_until, write_virtual_lab  # noqa: E402

SPECS = 10
BOARDS = 4


def attempt_dirs(results):
    return sorted(os.path.basename(os.path.dirname(path)) for path in
                  glob.glob(os.path.join(results, "*", "context_testgroup.json")))


def running(results):
    """How many attempts have started and not ended (their context_testgroup.json still says
    "Test never finished...")."""
    count = 0
    for path in glob.glob(os.path.join(results, "*", "context_testgroup.json")):
        try:
            with open(path) as handle:
                count += json.load(handle).get("msg_error") == "Test never finished..."
        except (OSError, ValueError):
            pass
    return count


def case(name, signals):
    work = os.path.join(os.environ.get("TEST_TMPDIR", "/tmp"), name)
    os.makedirs(work)
    # Slow lines (200 bytes/s): a run takes many seconds, so runs are surely under way.
    write_virtual_lab(work, "INT", BOARDS, SPECS, bytes_per_second=200)
    results = os.path.join(work, "results")
    argv = [runfile("tools/mptest"), "test", f"--inventory={work}/inventory.textproto",
            f"--boards={work}/boards", f"--specs={work}/specs.textproto",
            f"--build_cache={work}/cache", f"--lock_dir={work}/lock", "--jobs=4",
            "--count=3", f"--testresults={results}"]
    with open(os.path.join(work, "mptest.log"), "w") as log:
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True, env=dict(os.environ, NO_COLOR="1"))
        if not wait_until(lambda: running(results) >= BOARDS or process.poll() is not None, 60):
            process.kill()
            return [f"{name}: fewer than {BOARDS} runs under way after 60 s"]
        if process.poll() is not None:
            return [f"{name}: the campaign ended (exit {process.returncode}) before the signal"]
        signalled = time.time()
        for index in range(signals):
            if index:
                time.sleep(0.2)
            os.kill(process.pid, signal.SIGTERM)
        try:
            code = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return [f"{name}: mptest still running 30 s after SIGTERM"]
    ended = time.time()
    problems = []
    if code != 3:
        problems.append(f"{name}: exit {code}, want 3")
    with open(os.path.join(results, "results.json")) as handle:
        data = json.load(handle)
    groups = data["groups"]
    interrupted = [g for g in groups if g.get("msg_interrupted")]
    if len(interrupted) != BOARDS:
        problems.append(f"{name}: {len(interrupted)} interrupted attempts in results.json, want "
                        f"{BOARDS} (one per tentacle)")
    for group in groups:
        start = group.get("start_s", 0)
        if group.get("msg_error") and start <= ended and group.get("end_s", 0) >= signalled:
            problems.append(f"{name}: {group['directory_relative']} errored at the signal: "
                            f"{group['msg_error']}")
        if start > signalled + 0.05 and not group.get("msg_skipped"):
            problems.append(f"{name}: {group['directory_relative']} started after the signal")
    if data["summary"].get("groups_interrupted", 0) != len(interrupted):
        problems.append(f"{name}: summary.groups_interrupted "
                        f"{data['summary'].get('groups_interrupted')} != {len(interrupted)}")
    listed = sorted(g["directory_relative"] for g in groups)
    on_disk = attempt_dirs(results)
    if listed != on_disk:
        problems.append(f"{name}: results.json is not what is on disk: "
                        f"{sorted(set(listed) ^ set(on_disk))}")
    junit = ElementTree.parse(os.path.join(results, "junit.xml"))
    marked = [s for s in junit.iter("skipped") if s.get("type") == "interrupted"]
    if len(marked) != len(interrupted):
        problems.append(f"{name}: junit.xml has {len(marked)} interrupted, want {len(interrupted)}")
    with open(os.path.join(results, "report.md")) as handle:
        if interrupted and "## Interrupted groups" not in handle.read():
            problems.append(f"{name}: report.md has no interrupted groups table")
    with open(os.path.join(work, "mptest.log")) as handle:
        log_text = handle.read()
    if "quarantined" in log_text:
        problems.append(f"{name}: a tentacle was quarantined by the interruption")
    print(f"{name}: exit {code} {ended - signalled:.1f} s after the signal; "
          f"{len(interrupted)} interrupted of {len(groups)} attempts")
    return problems


def main():
    problems = case("one_sigterm", 1) + case("two_sigterms", 2)
    return finish("interrupt", problems)


if __name__ == "__main__":
    sys.exit(main())
