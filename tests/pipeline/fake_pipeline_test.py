#!/usr/bin/env python3
"""The real-firmware pipeline on the fake micropython tree, through //tools:mptest.

Two campaigns on an execpty UNIX tentacle running testdata/repl/fake_unix_port.py on the image
micropython_make builds from a git copy of testdata/fake_micropython (whose unix "binary" reports
the version in MicroPython's real formats: sys.implementation._build, "3.4.0; MicroPython <tag>
on <date>"):
  1. build -> flash -> the version check after flashing passes (the builder's and the board's
     identities agree) -> run_tests runs -> a failing test carries its diff and .exp/.out files
     in results.json, junit.xml and the report;
  2. the second campaign takes the build from the cache with its executable bit, finds the
     board already running it (flash skipped: the tentacle kept its image) and passes again.
Then the shipped emulated inventory loads and lists (list-tentacles, list-tests).
"""
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.environ.get("TEST_SRCDIR", ""), "mptest", "tests", "common"))
from mptest_test_util import finish, runfile  # noqa: E402


def git(cwd, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def campaign(mptest, work, results, problems, name):
    argv = [mptest, "test", f"--inventory={work}/inventory.textproto",
            f"--specs={work}/specs.textproto", f"--firmware_build={work}/micropython",
            f"--micropython_tests={work}/micropython", f"--build_cache={work}/cache",
            f"--testresults={results}", "--usb_watchdog=off"]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=240)
    if run.returncode != 1:  # one test fails on purpose
        problems.append(f"{name}: exit {run.returncode}, expected 1:\n{run.stdout}{run.stderr}")
    with open(os.path.join(results, "results.json")) as f:
        return json.load(f)


def main():
    problems = []
    mptest = runfile("tools/mptest")
    work = tempfile.mkdtemp(prefix="fake_pipeline_")
    tree = os.path.join(work, "micropython")
    shutil.copytree(runfile("testdata/fake_micropython"), tree)
    git(tree, "init", "-q")
    git(tree, "add", "-A")
    git(tree, "commit", "-q", "-m", "fake")
    git(tree, "tag", "v1.99.0")
    with open(os.path.join(work, "inventory.textproto"), "w") as f:
        f.write('name: "fake_pipeline"\ntentacles { label: "unix-1" type: "execpty" board: "UNIX" '
                'variants: [""] command: ["/usr/bin/python3", '
                f'"{runfile("testdata/repl/fake_unix_port.py")}", "{{firmware}}"] }}\n')
    with open(os.path.join(work, "specs.textproto"), "w") as f:
        f.write('spec { label: "RUN-TESTS_STANDARD" fut: "MCU_ONLY" harness: "run_tests" '
                'args: ["-d", "basics"] timeout_s: 120 tentacles: 1 }\n')

    first = campaign(mptest, work, os.path.join(work, "r1"), problems, "first campaign")
    groups = first.get("groups", [])
    if len(groups) != 1 or groups[0].get("msg_error"):
        problems.append(f"first campaign: expected one group without error, got {groups}")
    else:
        outcomes = {o["name"]: o for o in groups[0].get("outcomes", [])}
        broken = outcomes.get("basics/broken.py", {})
        if broken.get("outcome") != "failed" or "+++ output" not in broken.get("diff", ""):
            problems.append(f"the failing test has no diff: {broken}")
        if not os.path.exists(os.path.join(work, "r1", broken.get("expected_file", "-"))):
            problems.append(f"expected_file does not exist: {broken.get('expected_file')}")
        if outcomes.get("basics/add.py", {}).get("outcome") != "passed":
            problems.append(f"basics/add.py did not pass: {outcomes.get('basics/add.py')}")
    builds = first.get("context", {}).get("builds", [])
    if not builds or "; MicroPython v1.99.0 on 2026-11-23;" not in builds[0].get("version", ""):
        problems.append(f"the build does not record the firmware identity: {builds}")
    with open(os.path.join(work, "r1", "junit.xml")) as f:
        junit = f.read()
    if "output differs from the expected output" not in junit or "+++ output" not in junit:
        problems.append("junit.xml's failure carries no diff")
    with open(os.path.join(work, "r1", "report.md")) as f:
        if "basics_broken.py.exp" not in f.read():
            problems.append("report.md does not link the failure's .exp")

    second = campaign(mptest, work, os.path.join(work, "r2"), problems, "second campaign")
    builds = second.get("context", {}).get("builds", [])
    if not builds or not builds[0].get("cached"):
        problems.append(f"second campaign: the build was not taken from the cache: {builds}")
    else:
        image = builds[0].get("firmware", "")
        if not os.path.exists(image) or not os.stat(image).st_mode & stat.S_IXUSR:
            problems.append(f"the cached unix binary lost its executable bit: {image}")
    groups = second.get("groups", [])
    if len(groups) != 1 or groups[0].get("msg_error"):
        problems.append(f"second campaign: expected one group without error, got {groups}")
    elif groups[0].get("flash_end_s", 0) > 0:
        problems.append("second campaign flashed again although the board runs the firmware")

    emulated = runfile("testdata/inventories/emulated_lab.textproto")
    for command in (["list-tentacles"], ["list-tests"]):
        run = subprocess.run([mptest, *command, f"--inventory={emulated}"], capture_output=True,
                             text=True, timeout=60)
        wanted = "q002-MPS2_AN385" if command[0] == "list-tentacles" else "MPS2_AN385"
        if run.returncode != 0 or wanted not in run.stdout:
            problems.append(f"{command[0]} on the emulated inventory: exit {run.returncode}, "
                            f"no {wanted}:\n{run.stdout}{run.stderr}")
    if not problems:
        shutil.rmtree(work, ignore_errors=True)
    return finish("fake_pipeline_test", problems)


if __name__ == "__main__":
    sys.exit(main())
