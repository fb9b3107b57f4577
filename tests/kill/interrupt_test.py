#!/usr/bin/env python3
"""SIGTERM in the middle of a campaign ends the running runs as interrupted (issue 14, item 4),
and a second SIGTERM ends it faster, as completely (item 3).

A virtual lab of 4 tentacles with slow lines runs 40 groups. Once a run is under way on every
tentacle, mptest gets SIGTERM (and, in the second case, a second SIGTERM 0.2 s
later). Expected: exit 3 within 30 s; the runs under way at the signal are interrupted
(msg_interrupted), not errored; no attempt starts after the signal (no retry); nothing is
quarantined; results.json counts them (summary.groups_interrupted), junit.xml has them as
skipped with type "interrupted", report.md lists them; results.json holds exactly the attempt
directories on disk (consistent without `mptest report`); when mptest has exited, no board of
the lab is alive and nothing is left in its session (/proc).

The same with --nomultiprocessing, where a run cannot be preempted and the first signal waits
the kill grace (2 s) for it before abandoning it: with one signal mptest ends no earlier than
the grace; with two it ends before the grace would have ended.
"""
import glob
import json
import os
import signal
import sys
import time
import xml.etree.ElementTree as ElementTree

sys.path.insert(0, os.path.join(os.environ.get("TEST_SRCDIR", ""), "mptest", "tests", "common"))
sys.path.insert(0, os.path.join(os.environ.get("TEST_SRCDIR", ""), "mptest", "tests", "kill"))
import campaign_process  # noqa: E402
from mptest_test_util import finish, write_virtual_lab  # noqa: E402

SPECS = 10
BOARDS = 4
GRACE_S = 2.0  # mptest's kill grace (ProcessExecutor): an inline run's time to return


def attempt_dirs(results):
    return sorted(os.path.basename(os.path.dirname(path)) for path in
                  glob.glob(os.path.join(results, "*", "context_testgroup.json")))


def state(group):
    """What became of an attempt: interrupted, skipped, errored or ran."""
    for key in ("msg_interrupted", "msg_skipped", "msg_error"):
        if group.get(key):
            return key[4:]
    return "ran"


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


def case(name, signals, inline=False):
    work = os.path.join(os.environ.get("TEST_TMPDIR", "/tmp"), name)
    os.makedirs(work)
    # Slow lines (200 bytes/s): a run takes many seconds, so runs are surely under way.
    write_virtual_lab(work, "INT", BOARDS, SPECS, bytes_per_second=200)
    results = os.path.join(work, "results")
    runs = 1 if inline else BOARDS  # runs under way at the signal
    argv = campaign_process.lab_argv(work, results, "--count=3",
                                     *(["--nomultiprocessing"] if inline else []))
    process = campaign_process.start(argv, os.path.join(work, "mptest.log"))
    problem = campaign_process.wait_for(process, lambda: running(results) >= runs, 60,
                                        f"{runs} run(s) under way")
    if problem:
        return [f"{name}: {problem}"]
    signalled = time.time()
    code, took = campaign_process.signal_and_wait(process, signal.SIGTERM, signals)
    if code is None:
        return [f"{name}: {took}"]
    ended = time.time()
    problems = []
    # mptest powered its boards off and reaped its children before it exited.
    problems += [f"{name}: board alive after mptest exited: {line}"
                 for line in campaign_process.boards_of(work)]
    problems += [f"{name}: left in mptest's session: {line}"
                 for line in campaign_process.left_in_session(process.pid)]
    if code != 3:
        problems.append(f"{name}: exit {code}, want 3")
    if inline and signals == 1 and took < GRACE_S:
        problems.append(f"{name}: ended {took:.2f} s after the signal, before the grace of "
                        f"{GRACE_S} s: the comparison below has nothing to show")
    if inline and signals == 2 and took >= GRACE_S:
        problems.append(f"{name}: ended {took:.2f} s after the first signal: the second did not "
                        f"cut the grace of {GRACE_S} s")
    with open(os.path.join(results, "results.json")) as handle:
        data = json.load(handle)
    groups = data["groups"]
    interrupted = [g for g in groups if g.get("msg_interrupted")]
    if len(interrupted) != runs:
        problems.append(f"{name}: {len(interrupted)} interrupted attempts in results.json, want "
                        f"{runs} (one per run under way)")
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
    for group in groups:
        path = os.path.join(results, group["directory_relative"], "context_testgroup.json")
        with open(path) as handle:
            if state(json.load(handle)) != state(group):
                problems.append(f"{name}: {path} is not {state(group)} as in results.json")
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
    print(f"{name}: exit {code} {took:.2f} s after the first signal; "
          f"{len(interrupted)} interrupted of {len(groups)} attempts")
    return problems


def main():
    problems = (case("one_sigterm", 1) + case("two_sigterms", 2) +
                case("inline_one_sigterm", 1, inline=True) +
                case("inline_two_sigterms", 2, inline=True))
    return finish("interrupt", problems)


if __name__ == "__main__":
    sys.exit(main())
