#!/usr/bin/env python3
"""What a dead campaign left running is ended by the next campaign on its results directory,
which says so (issue 14, item 3).

Every program a campaign starts carries MPTEST_CAMPAIGN=<its results directory>. The test
stands a process with that mark in for a leftover (as a board of a campaign killed before
boards had lifelines, or a relay): the next campaign on the same directory must end it before
it starts, print its pid, and leave alone a process with another campaign's mark.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ.get("TEST_SRCDIR", ""), "mptest", "tests", "common"))
from mptest_test_util import finish, runfile  # noqa: E402


def main():
    work = os.path.realpath(os.path.join(os.environ.get("TEST_TMPDIR", "/tmp"), "leftovers"))
    os.makedirs(work)
    results = os.path.join(work, "results")
    leftover = subprocess.Popen(["sleep", "600"],
                                env=dict(os.environ, MPTEST_CAMPAIGN=results))
    other = subprocess.Popen(["sleep", "600"],
                             env=dict(os.environ, MPTEST_CAMPAIGN=results + "-other"))
    problems = []
    try:
        run = subprocess.run(
            [runfile("tools/mptest"), "test", "--only-test=RUN-FLASH_FORMAT",
             "--only-board=VIRTUAL_ESP", f"--testresults={results}", f"--lock_dir={work}/lock",
             f"--build_cache={work}/cache"],
            capture_output=True, text=True, timeout=120, env=dict(os.environ, NO_COLOR="1"))
        if run.returncode != 0:
            problems.append(f"exit {run.returncode}: {run.stderr[-600:]}")
        said = f"ended 1 process(es) an earlier campaign on {results} left running"
        if said not in run.stdout or f"pid {leftover.pid}: sleep 600" not in run.stdout:
            problems.append(f"no line naming the leftover: {run.stdout[:800]}")
        try:
            leftover.wait(timeout=5)
        except subprocess.TimeoutExpired:
            problems.append(f"the leftover pid {leftover.pid} still runs")
        if other.poll() is not None:
            problems.append("a process of another campaign's directory was ended")
    finally:
        for process in (leftover, other):
            if process.poll() is None:
                process.kill()
                process.wait()
    return finish("leftovers", problems)


if __name__ == "__main__":
    sys.exit(main())
