#!/usr/bin/env python3
"""Two campaigns, one results directory (issue 14, item 2).

Campaign A runs on inventory A with --testresults=R. While it runs, campaign B (inventory B,
so the inventory lock does not stop it) asks for the same R, and `mptest report` asks for R:
both are refused with exit 2 naming R and A's pid, at once, touching nothing (R is not moved
aside, A's boards keep running). A then ends normally with every one of its attempts in
results.json, and `mptest report` afterwards works.
"""
import glob
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TEST_SRCDIR", ""), "mptest", "tests", "common"))
from mptest_test_util import finish, runfile, wait_until, write_virtual_lab  # noqa: E402

SPECS = 4
BOARDS = 2


def main():
    work = os.path.realpath(os.path.join(os.environ.get("TEST_TMPDIR", "/tmp"), "results_lock"))
    os.makedirs(work)
    write_virtual_lab(work, "LOCK", BOARDS, SPECS, inventories=("_a", "_b"))
    results = os.path.join(work, "results")

    def argv(name):
        return [runfile("tools/mptest"), "test", f"--inventory={work}/inventory_{name}.textproto",
                f"--boards={work}/boards", f"--specs={work}/specs.textproto",
                f"--build_cache={work}/cache", f"--lock_dir={work}/lock",
                f"--testresults={results}"]

    problems = []
    env = dict(os.environ, NO_COLOR="1")
    with open(os.path.join(work, "a.log"), "w") as log:
        first = subprocess.Popen(argv("a"), stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 60
        while not glob.glob(os.path.join(results, "*", "context_testgroup.json")):
            if first.poll() is not None or time.monotonic() > deadline:
                first.kill()
                return finish("results lock", ["campaign A never started a run"])
            time.sleep(0.05)
        for what, args in (("campaign B", argv("b")),
                           ("report", [runfile("tools/mptest"), "report",
                                       f"--testresults={results}", f"--lock_dir={work}/lock"])):
            started = time.monotonic()
            run = subprocess.run(args, capture_output=True, text=True, timeout=60, env=env)
            took = time.monotonic() - started
            if run.returncode != 2:
                problems.append(f"{what}: exit {run.returncode}, want 2: {run.stderr[-400:]}")
            for part in (f"--testresults: {results} is in use by another mptest",
                         f"held by pid {first.pid}: mptest"):
                if part not in run.stderr:
                    problems.append(f"{what}: stderr does not say {part!r}: {run.stderr[-400:]}")
            if took > 10:
                problems.append(f"{what}: took {took:.1f} s to be refused")
            print(f"{what}: exit {run.returncode} in {took:.1f} s: {run.stderr.strip()}")
        if first.poll() is not None:
            problems.append(f"campaign A ended (exit {first.returncode}) while B was refused: "
                            "make it longer")
        code = first.wait(timeout=120)
    if code != 0:
        with open(os.path.join(work, "a.log")) as log:
            problems.append(f"campaign A: exit {code}: {log.read()[-800:]}")
    siblings = [path for path in glob.glob(results + ".*")]
    if siblings:
        problems.append(f"the results directory was moved aside: {siblings}")
    with open(os.path.join(results, "results.json")) as handle:
        listed = sorted(g["directory_relative"] for g in json.load(handle)["groups"])
    on_disk = sorted(os.path.basename(os.path.dirname(path)) for path in
                     glob.glob(os.path.join(results, "*", "context_testgroup.json")))
    if listed != on_disk or len(listed) != SPECS * BOARDS:
        problems.append(f"results.json lists {len(listed)} attempts, {len(on_disk)} on disk, "
                        f"want {SPECS * BOARDS}")
    report = subprocess.run([runfile("tools/mptest"), "report", f"--testresults={results}",
                             f"--lock_dir={work}/lock"], capture_output=True, text=True,
                            timeout=60)
    if report.returncode != 0:
        problems.append(f"report after A: exit {report.returncode}: {report.stderr}")
    return finish("results lock", problems)


if __name__ == "__main__":
    sys.exit(main())
