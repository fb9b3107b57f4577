#!/usr/bin/env python3
"""mptest killed in the middle of a campaign, with SIGTERM and with SIGKILL.

A virtual lab of 4 tentacles with slow lines runs 40 groups (several seconds). Once at least
6 groups are complete on disk the runner is killed. Then: every group complete before the kill
is on disk, `mptest report` rebuilds results.json and junit.xml from it and they hold each of
those groups with the outcomes of its _results.json; every JSON file present parses; SIGTERM
ends with exit 3 and an interrupted report; SIGKILL leaves no process of mptest's session (its
job children die by PR_SET_PDEATHSIG), and no virtual board of the dead campaign is alive 2 s
after the kill (each watches its campaign's lifeline, a pipe only the campaign holds open).
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
sys.path.insert(0, os.path.join(os.environ.get("TEST_SRCDIR", ""), "mptest", "tests", "kill"))
import campaign_process  # noqa: E402
from mptest_test_util import finish, runfile, wait_until, write_virtual_lab  # noqa: E402

SPECS = 10
BOARDS = 4


def completed_groups(results):
    done = {}
    for path in glob.glob(os.path.join(results, "*", "context_testgroup.json")):
        try:
            with open(path) as handle:
                group = json.load(handle)
        except (OSError, ValueError):
            continue
        if group.get("time_end"):
            done[group["directory_relative"]] = sorted(
                (outcome["name"], outcome["outcome"]) for outcome in group["outcomes"])
    return done


def kill_case(name, how):
    work = os.path.join(os.environ.get("TEST_TMPDIR", "/tmp"), name)
    os.makedirs(work)
    write_virtual_lab(work, "KILL", BOARDS, SPECS)
    results = os.path.join(work, "results")
    mptest = runfile("tools/mptest")
    common = [f"--testresults={results}"]
    problems = []
    process = campaign_process.start(campaign_process.lab_argv(work, results),
                                     os.path.join(work, "mptest.log"))
    problem = campaign_process.wait_for(process, lambda: len(completed_groups(results)) >= 6, 60,
                                        "6 complete groups")
    if problem:
        return [f"{name}: {problem}; make it longer"]
    before = completed_groups(results)
    killed_at = time.monotonic()
    code, took = campaign_process.signal_and_wait(process, how, timeout=60)
    if code is None:
        return [f"{name}: {took}"]
    session = process.pid
    total = BOARDS * SPECS
    # The virtual boards are detached from mptest's session, but not from its life: within 2 s
    # of its end, however it ended, none is left (the results directory stays where it is).
    boards = wait_until(lambda: not campaign_process.boards_of(work),
                        max(0.0, killed_at + 2 - time.monotonic()))
    if not boards:
        problems += [f"{name}: board still running: {line}"
                     for line in campaign_process.boards_of(work)]
    if how == signal.SIGTERM and code != 3:
        problems.append(f"{name}: exit {code} after SIGTERM, expected 3")
    if how == signal.SIGKILL and code != -signal.SIGKILL:
        problems.append(f"{name}: exit {code} after SIGKILL")
    # Nothing of the run is left: mptest's session (its job children) and, as their links'
    # directory is removed with the results, the detached boards.
    left = wait_until(lambda: not campaign_process.left_in_session(session), 10)
    if not left:
        problems += [f"{name}: left in mptest's session: {line}"
                     for line in campaign_process.left_in_session(session)]
    # Every JSON file on disk parses (none half-written).
    for path in glob.glob(os.path.join(results, "**", "*.json"), recursive=True):
        try:
            with open(path) as handle:
                json.load(handle)
        except ValueError as error:
            problems.append(f"{name}: {path} does not parse: {error}")
    report = subprocess.run([mptest, "report"] + common, capture_output=True, text=True,
                            timeout=60)
    if report.returncode != 0:
        return problems + [f"{name}: mptest report exit {report.returncode}: {report.stderr}"]
    with open(os.path.join(results, "results.json")) as handle:
        rebuilt = {group["directory_relative"]: group for group in json.load(handle)["groups"]}
    junit = {suite.get("name"): suite
             for suite in ElementTree.parse(os.path.join(results, "junit.xml")).iter("testsuite")}
    for directory, outcomes in before.items():
        group = rebuilt.get(directory)
        if group is None:
            problems.append(f"{name}: {directory} (complete before the kill) not in results.json")
            continue
        if sorted((o["name"], o["outcome"]) for o in group["outcomes"]) != outcomes:
            problems.append(f"{name}: {directory}: rebuilt outcomes differ from the group's")
        if directory not in junit:
            problems.append(f"{name}: {directory} not in junit.xml")
        elif len(list(junit[directory].iter("testcase"))) != len(outcomes):
            problems.append(f"{name}: {directory}: junit testcases != {len(outcomes)}")
    for path in ("report.html", "report.md"):
        if not os.path.exists(os.path.join(results, path)):
            problems.append(f"{name}: no {path} after mptest report")
    print(f"{name}: killed with {how.name} after {len(before)} of {total} groups; exit {code}; "
          f"rebuilt report has {len(rebuilt)} attempts")
    return problems


def main():
    problems = kill_case("sigterm", signal.SIGTERM) + kill_case("sigkill", signal.SIGKILL)
    return finish("kill", problems)


if __name__ == "__main__":
    sys.exit(main())
