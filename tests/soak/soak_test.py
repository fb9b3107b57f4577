#!/usr/bin/env python3
"""Soak test: a virtual lab of 12 tentacles with seeded faults, driven through //tools:mptest.

Faults (one kind per tentacle, parameters from one seeded generator): a board that hangs, a
board reset in the middle of output, garbled bytes, a dropped line, a slow line, a flash that
fails (VirtualFaults.fail_flash), a build that fails (a board whose port has no builder for its
firmware kind), and test children killed with SIGSEGV/SIGKILL while they run (seeded choice).
Afterwards every matrix cell x test file is accounted for exactly once in results.json and
junit.xml, every fault kind struck at least once (garbled bytes and the slow line may pass
unnoticed), and no process, zombie, pty or descriptor of the run is left.

Environment: SOAK_SEED (default 20261123), SOAK_SPECS (test kinds; default 8, x 12 boards x
12 basics tests = 1,152 executions), SOAK_INLINE=1: the same lab under --nomultiprocessing (every
run in mptest's own process, deadlines still enforced); there are no test children to crash, so
those tentacles get no fault.
"""
import json
import os
import random
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree

sys.path.insert(0, os.path.join(os.environ.get("TEST_SRCDIR", ""), "mptest", "tests", "common"))
import mptest_test_util  # noqa: E402
from mptest_test_util import finish, runfile  # noqa: E402

TENTACLES = 12
INLINE = os.environ.get("SOAK_INLINE") == "1"
SUITE_DIR = "basics"


def suite_tests(suite):
    directory = os.path.join(suite, SUITE_DIR)
    return sorted(f"{SUITE_DIR}/{name}" for name in os.listdir(directory)
                  if name.endswith(".py"))


def fault_plan(rng):
    """One fault kind per tentacle (all kinds present), each with seeded parameters."""
    kinds = ["hang", "reset", "garble", "drop_line", "slow_line", "flash_fail", "build_fail",
             "child_crash", "garble", "drop_line", "none", "child_crash"]
    assert len(kinds) == TENTACLES
    rng.shuffle(kinds)
    plan = []
    for index, kind in enumerate(kinds):
        faults = {"seed": rng.randrange(1, 1 << 31)}
        if kind == "hang":
            faults["hang_after_executions"] = rng.randrange(20, 60)
        elif kind == "reset":
            faults["reset_mid_output_probability"] = round(rng.uniform(0.02, 0.05), 3)
        elif kind == "garble":
            faults["garble_fraction"] = round(rng.uniform(0.0003, 0.0008), 5)
        elif kind == "drop_line":
            faults["drop_line_probability"] = round(rng.uniform(0.01, 0.03), 3)
        elif kind == "slow_line":
            faults["line_bytes_per_second"] = rng.choice([4000, 8000])
        elif kind == "flash_fail":
            faults["fail_flash"] = True
        plan.append((f"{index:02d}{kind[:2]}-SOAK_{index:02d}", f"SOAK_{index:02d}", kind, faults))
    return plan


def textproto_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_config(work, plan, specs):
    boards = os.path.join(work, "boards")
    os.makedirs(boards)
    for _, board, kind, _ in plan:
        port = "soak_unbuildable" if kind == "build_fail" else "virtual"
        with open(os.path.join(boards, board + ".textproto"), "w") as out:
            out.write(f'name: "{board}"\nport: "{port}"\nvariants: ""\n'
                      f'programmer {{ name: "virtual" }}\nfeatures: "MCU_ONLY"\n'
                      f'firmware_kind: "vimg"\n')
    inventory = os.path.join(work, "inventory.textproto")
    with open(inventory, "w") as out:
        out.write('name: "soak_lab"\n')
        for label, board, _, faults in plan:
            fields = " ".join(f"{k}: {textproto_value(v)}" for k, v in faults.items())
            out.write(f'tentacles {{ label: "{label}" type: "virtual" board: "{board}" '
                      f'faults {{ {fields} }} }}\n')
    spec_file = os.path.join(work, "specs.textproto")
    with open(spec_file, "w") as out:
        for index in range(specs):
            out.write(f'spec {{ label: "SOAK-{index:02d}" fut: "MCU_ONLY" harness: "native" '
                      f'args: "--test-dirs={SUITE_DIR}" timeout_s: 4 tentacles: 1 '
                      'env { key: "MICROPY_TEST_TIMEOUT" value: "2" } }\n')
    return boards, inventory, spec_file


def children_of(pid):
    return [p.pid for p in mptest_test_util.processes() if p.ppid == pid]


def pty_of(work, label):
    try:
        return os.path.realpath(os.path.join(work, "results", "tentacles", label, "tty"))
    except OSError:
        return None


def holds_any(pid, paths):
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            if os.readlink(f"/proc/{pid}/fd/{fd}") in paths:
                return True
    except OSError:
        pass
    return False


def run_campaign(work, boards, inventory, specs, rng, crash_labels, crash_probability):
    """Runs mptest in its own session; a job child seen with a crash_labels tentacle's console
    open is killed (SIGSEGV or SIGKILL) with crash_probability. Returns (exit code, duration, crashes, pid)."""
    mptest = runfile("tools/mptest")
    argv = [mptest, "test", f"--inventory={inventory}", f"--boards={boards}", f"--specs={specs}",
            f"--testresults={work}/results", f"--build_cache={work}/cache",
            f"--lock_dir={work}/lock", "--jobs=12", "--build_jobs=2"]
    if INLINE:
        argv.append("--nomultiprocessing")
    log = open(os.path.join(work, "mptest.log"), "w")
    start = time.monotonic()
    process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=work,
                               start_new_session=True, env=dict(os.environ, NO_COLOR="1"))
    crashes = []
    seen = set()
    deadline = start + (480 if INLINE else 240)
    exe = os.path.realpath(mptest)
    while process.poll() is None:
        now = time.monotonic()
        if now > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise AssertionError(f"mptest did not finish in {deadline - start:.0f} s; "
                                 f"see {work}/mptest.log")
        consoles = {pty_of(work, label) for label in crash_labels} - {None}
        for child in children_of(process.pid):
            if child in seen:
                continue
            try:
                if os.path.realpath(f"/proc/{child}/exe") != exe or not holds_any(child,
                                                                                   consoles):
                    continue
            except OSError:
                continue
            seen.add(child)
            if rng.random() < crash_probability:
                how = rng.choice([signal.SIGSEGV, signal.SIGKILL])
                try:
                    os.kill(child, how)
                    crashes.append((how.name, round(now - start, 1)))
                except ProcessLookupError:
                    pass
        time.sleep(0.01)
    log.close()
    return process.returncode, time.monotonic() - start, crashes, process.pid


ALLOWED_OUTCOMES = {"passed", "failed", "skipped", "xfailed", "errored", "error", "xpassed"}


def check_accounting(results_dir, plan, specs, tests):
    """Every matrix cell x test file exactly once; results.json and junit.xml agree."""
    with open(os.path.join(results_dir, "results.json")) as handle:
        results = json.load(handle)
    junit = ElementTree.parse(os.path.join(results_dir, "junit.xml")).getroot()
    problems = []
    attempts = {}
    for group in results["groups"]:
        key = (group["testgroup"], group["board"], group["variant"], group["attempt"])
        if key in attempts:
            problems.append(f"attempt recorded twice: {key}")
        attempts[key] = group
    expected_cells = {(f"SOAK-{s:02d}", board, "") for s in range(specs) for _, board, _, _ in plan}
    cells = {key[:3] for key in attempts}
    if cells != expected_cells:
        problems.append(f"cells missing: {sorted(expected_cells - cells)[:5]}, "
                        f"unexpected: {sorted(cells - expected_cells)[:5]}")
    counts = {}
    for cell in sorted(expected_cells & cells):
        letters = sorted(key[3] for key in attempts if key[:3] == cell)
        if letters != [chr(ord("a") + i) for i in range(len(letters))]:
            problems.append(f"{cell}: attempts {letters} are not a, b, c...")
        for letter in letters:
            group = attempts[cell + (letter,)]
            names = [outcome["name"] for outcome in group["outcomes"]]
            if len(names) != len(set(names)):
                problems.append(f"{group['directory_relative']}: a test recorded twice")
            for outcome in group["outcomes"]:
                if outcome["outcome"] not in ALLOWED_OUTCOMES:
                    problems.append(f"{group['directory_relative']}: outcome {outcome}")
        final = attempts[cell + (letters[-1],)]
        names = sorted(outcome["name"] for outcome in final["outcomes"])
        reason = final["msg_error"] or final["msg_skipped"]
        if names == tests:
            for outcome in final["outcomes"]:
                kind = outcome["outcome"]
                # A failure's reason is its output diff (in the logs); an error needs a text.
                if kind in ("errored", "error") and not (outcome["text"] or reason):
                    problems.append(f"{final['directory_relative']}: {outcome['name']} {kind} "
                                    "without a reason")
                counts[kind] = counts.get(kind, 0) + 1
        elif reason:
            # The group never got through its tests: each untested file is errored with the
            # group's reason (recorded ones keep their outcome).
            for outcome in final["outcomes"]:
                counts[outcome["outcome"]] = counts.get(outcome["outcome"], 0) + 1
            counts["errored (group)"] = counts.get("errored (group)", 0) + len(tests) - len(names)
            if not set(names) <= set(tests):
                problems.append(f"{final['directory_relative']}: unknown tests {names}")
        else:
            problems.append(f"{final['directory_relative']}: tests {names} != the suite and "
                            "no error or skip reason")
    # junit.xml: one testsuite per attempt directory, one testcase per recorded outcome.
    suites = {suite.get("name"): suite for suite in junit.iter("testsuite")}
    directories = {group["directory_relative"]: group for group in results["groups"]}
    if set(suites) != set(directories):
        problems.append(f"junit suites != results.json groups: "
                        f"{sorted(set(suites) ^ set(directories))[:5]}")
    for name in set(suites) & set(directories):
        group = directories[name]
        cases = sorted(case.get("name") for case in suites[name].iter("testcase"))
        recorded = [outcome["name"] for outcome in group["outcomes"]]
        # An attempt that did not run to the end is one more testcase carrying its reason,
        # beside the verdicts its harness had reached.
        unfinished = group["msg_error"] or group["msg_skipped"] or group.get("msg_interrupted")
        if unfinished:
            recorded.append(group["testgroup"])
        recorded.sort()
        if group["outcomes"] and cases != recorded:
            problems.append(f"junit {name}: testcases {cases[:3]}... != results {recorded[:3]}...")
        if unfinished:
            text = ElementTree.tostring(suites[name], encoding="unicode")
            if "<error" not in text and "<skipped" not in text:
                problems.append(f"junit {name}: an errored/skipped group without its reason")
    return problems, counts, results


def faults_injected(results_dir, plan, results, crashes):
    """How often each fault kind struck: the boards' fault log lines, the failed flashes and
    builds in results.json, the crashed children; garbled bytes and the slow line are not
    logged per byte, so they count the attempts on those tentacles that did not all pass."""
    logged = {"hang": "fault: hung", "reset": "fault: reset", "drop_line": "fault: dropping"}
    injected = {"hang": 0, "reset": 0, "drop_line": 0}
    for label, _, _, _ in plan:
        try:
            with open(os.path.join(results_dir, "tentacles", label, "board.log")) as log:
                text = log.read()
        except OSError:
            continue
        for kind, marker in logged.items():
            injected[kind] += text.count(marker)
    injected["failed flash"] = sum(1 for group in results["groups"]
                                   if group["msg_error"].startswith("flashing "))
    injected["failed build"] = sum(1 for build in results["context"]["builds"] if build["error"])
    injected["crashed test child"] = len(crashes)
    for kind, name in (("garble", "garbled bytes"), ("slow_line", "slow line")):
        labels = {label for label, _, fault, _ in plan if fault == kind}
        injected[name] = sum(
            1 for group in results["groups"] if group["tentacle"] in labels and
            (group["msg_error"] or any(o["outcome"] != "passed" for o in group["outcomes"])))
    return injected


def run_processes_left(work, session):
    """Processes of the run still alive: in mptest's session or naming the work directory."""
    return [f"pid {p.pid} state {p.state} sid {p.sid}: {p.command[:120]}"
            for p in mptest_test_util.processes()
            if p.pid != os.getpid() and (p.sid == session or work in p.command)]


def pty_holders(names):
    holders = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            for fd in os.listdir(f"/proc/{entry}/fd"):
                target = os.readlink(f"/proc/{entry}/fd/{fd}")
                if target in names:
                    holders.setdefault(target, set()).add(int(entry))
        except OSError:
            pass
    return holders


def main():
    seed = int(os.environ.get("SOAK_SEED", "20261123"))
    specs = int(os.environ.get("SOAK_SPECS", "8"))
    work = os.path.join(os.environ.get("TEST_TMPDIR", "/tmp"), f"soak-{seed}")
    os.makedirs(work)
    rng = random.Random(seed)
    plan = fault_plan(rng)
    tests = suite_tests(runfile("testdata/suite"))
    boards, inventory, spec_file = write_config(work, plan, specs)
    fds_before = sorted(os.listdir("/proc/self/fd"))
    ptys_before = set(os.listdir("/dev/pts"))

    crash_labels = [] if INLINE else [label for label, _, kind, _ in plan
                                      if kind == "child_crash"]
    code, duration, crashes, session = run_campaign(work, boards, inventory, spec_file, rng,
                                                    crash_labels, crash_probability=0.5)
    problems = []
    if code not in (1, 3):
        problems.append(f"mptest exited {code}; with these faults 1 or 3 is expected")
    accounting, counts, results = check_accounting(os.path.join(work, "results"), plan, specs,
                                                   tests)
    problems += accounting

    # Nothing of the run is left: processes (zombies included), ptys, descriptors.
    left = []
    settle = time.monotonic() + 10
    while time.monotonic() < settle:
        left = run_processes_left(work, session)
        if not left:
            break
        time.sleep(0.1)
    problems += [f"left behind: {line}" for line in left]
    new_ptys = {f"/dev/pts/{name}" for name in set(os.listdir("/dev/pts")) - ptys_before}
    for pty, holders in pty_holders(new_ptys).items():
        for holder in holders:
            if holder == session or work in open(f"/proc/{holder}/cmdline", "rb").read().decode(
                    errors="replace"):
                problems.append(f"{pty} still open in run process {holder}")
    fds_after = sorted(os.listdir("/proc/self/fd"))
    if len(fds_after) != len(fds_before):
        problems.append(f"test process descriptors {fds_before} -> {fds_after}")

    injected = faults_injected(os.path.join(work, "results"), plan, results, crashes)
    for kind, number in injected.items():
        if number == 0 and kind not in ("garbled bytes", "slow line") and not (
                INLINE and kind == "crashed test child"):
            problems.append(f"fault kind '{kind}' was never injected; adjust the seeded plan")

    executions = sum(counts.values())
    errors = [group["msg_error"] for group in results["groups"] if group["msg_error"]]
    reasons = {}
    for error in errors:
        short = error.split(":")[0][:60]
        reasons[short] = reasons.get(short, 0) + 1
    print(f"soak: seed {seed}, {len(plan)} tentacles, {specs} test kinds, {len(tests)} tests each"
          f"{', --nomultiprocessing' if INLINE else ''}")
    print(f"soak: mptest exit {code} in {duration:.1f} s; {executions} executions accounted: "
          f"{dict(sorted(counts.items()))}")
    print(f"soak: attempts {len(results['groups'])}, errored attempts {len(errors)}")
    for label, _, kind, faults in plan:
        print(f"soak: tentacle {label}: {kind} {faults}")
    print(f"soak: test children crashed: {len(crashes)} {crashes}")
    print(f"soak: faults injected per kind: {injected}")
    for reason, number in sorted(reasons.items(), key=lambda item: -item[1]):
        print(f"soak:   {number:4d} x {reason}")
    print(f"soak: /dev/pts {len(ptys_before)} before, {len(os.listdir('/dev/pts'))} after")
    if executions < 1000:
        problems.append(f"only {executions} executions (at least 1,000 wanted)")
    if problems:
        print(f"soak: {len(problems)} problems; work directory {work}")
    return finish("soak", problems[:40])


if __name__ == "__main__":
    sys.exit(main())
