#!/usr/bin/env python3
"""Real MicroPython end to end: mptest against run-tests.py run by hand, verdict for verdict.

Builds the unix port and the qemu port's MPS2_AN385 board of a micropython checkout through
mptest (--firmware_build, no --flash_skip), runs tests/run-tests.py by hand on the same firmware
(the way `make -C ports/<port> test` runs it), runs mptest's run_tests, native and via-mpy forms
over the same selection, and prints a table of verdict disagreements (must be 0) and wall-time
ratios. Exits 1 on any disagreement or error, 0 otherwise.

    tests/micropython/compare.sh /path/to/micropython [--ports=unix,qemu] [--out=DIR]

Needs: the checkout with lib/micropython-lib (unittest), Debian's gcc-arm-none-eabi,
libnewlib-arm-none-eabi and qemu-system-arm for qemu, and mptest built
(`./bazelw build //tools:mptest`). MPTEST_BUILD_ARGS (space separated) are passed to the builds
as --build_arg (e.g. "MICROPY_PY_FFI=0 MICROPY_PY_BTREE=0 MICROPY_PY_SSL=0
MICROPY_SSL_MBEDTLS=0" for a checkout without the unix port's submodules).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

QEMU = ["qemu-system-arm", "-machine", "mps2-an385", "-nographic", "-monitor", "null",
        "-semihosting"]
# ports/qemu/Makefile mounts this ROMFS image for test runs (QEMU_TEST_ARGS).
ROMFS = "-device loader,file={mp}/ports/qemu/assets/random_romfs.bin,addr=0x21000000,force-raw=on"

# (kind label, harness, run-tests.py arguments); native --via-mpy runs on the unix port only.
KINDS = [
    ("RUN-TESTS_STANDARD", "run_tests", []),
    ("NATIVE_STANDARD", "native", []),
    ("RUN-TESTS_STANDARD_VIA_MPY", "run_tests", ["--via-mpy"]),
    ("NATIVE_VIA_MPY", "native", ["--via-mpy"]),
]


def qemu_command(mp, kernel, console):
    # A snapshot without the checkout's binary assets has no ROMFS image: qemu would refuse to
    # start. Both sides then run without it (the ROMFS tests skip on both).
    image = f"{mp}/ports/qemu/assets/random_romfs.bin"
    romfs = ROMFS.format(mp=mp).split() if os.path.exists(image) else []
    return QEMU + romfs + ["-serial", console, "-kernel", kernel]


def write_inventory(path, mp, port, count):
    lines = [f'name: "compare_{port}"']
    for i in range(1, count + 1):
        if port == "unix":
            lines.append(f'tentacles {{ label: "u{i:03d}-UNIX" type: "execpty" board: "UNIX" '
                         f'variants: [""] command: "{{firmware}}" }}')
        else:
            argv = ", ".join(json.dumps(a) for a in qemu_command(mp, "{firmware}", "pty"))
            lines.append(f'tentacles {{ label: "q{i:03d}-MPS2_AN385" type: "execpty" board: "MPS2_AN385" '
                         f'command: [{argv}] tags {{ key: "console" value: "announced" }} }}')
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def write_specs(path):
    with open(path, "w") as f:
        for label, harness, args in KINDS:
            f.write(f'spec {{ label: "{label}" fut: "MCU_ONLY" harness: "{harness}" '
                    f'args: {json.dumps(args)} timeout_s: 3600 tentacles: 1 }}\n')


def run(argv, log, cwd=None, env=None):
    start = time.monotonic()
    with open(log, "w") as out:
        code = subprocess.call(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    return code, time.monotonic() - start


def verdicts_of_results_json(path):
    """{test: verdict} from a run-tests.py _results.json (pass/fail/skip)."""
    with open(path) as f:
        results = json.load(f)["results"]
    return {name: "skip" if outcome == "ignored" else outcome for name, outcome, _ in results}


def verdicts_of_mptest(results_dir, label):
    """{test: verdict} of the last attempt of test kind `label`, its wall time and its error."""
    with open(os.path.join(results_dir, "results.json")) as f:
        results = json.load(f)
    groups = [g for g in results.get("groups", results.get("attempts", []))
              if g.get("testgroup") == label]
    if not groups:
        return None, 0, "no group"
    group = groups[-1]
    words = {"passed": "pass", "failed": "fail", "xfailed": "fail", "skipped": "skip"}
    verdicts = {o["name"]: words.get(o.get("outcome"), o.get("outcome"))
                for o in group.get("outcomes", [])}
    error = group.get("msg_error") or group.get("msg_skipped") or ""
    return verdicts, group.get("end_s", 0) - group.get("start_s", 0), error


def run_by_hand(mp, port, image, kind_args, hand_dir, tests):
    """run-tests.py by hand on `image`, as `make -C ports/<port> test` runs it: its verdicts
    and wall time."""
    env = dict(os.environ, MICROPY_MICROPYTHON=image)  # mpy-cross: the checkout's
    target = [] if port == "unix" else [
        "-t", "execpty:" + " ".join(qemu_command(mp, image, "pty"))]
    # Debian's python3, as mptest's harnesses use (python3-serial for pyboard.py).
    _, seconds = run(["/usr/bin/python3", "run-tests.py", f"--result-dir={hand_dir}"] + target +
                     kind_args, hand_dir + ".log", cwd=tests, env=env)
    return verdicts_of_results_json(os.path.join(hand_dir, "_results.json")), seconds


def compare(reference, verdicts):
    differ = []
    for test in sorted(set(reference) | set(verdicts)):
        a, b = reference.get(test, "(not run)"), verdicts.get(test, "(not run)")
        if a != b:
            differ.append(f"{test}: by hand {a}, mptest {b}")
    return differ


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("micropython")
    parser.add_argument("--ports", default="unix,qemu")
    parser.add_argument("--out", default="/tmp/mptest-compare")
    parser.add_argument("--mptest", default="bazel-bin/tools/mptest")
    parser.add_argument("--kinds", default=",".join(k[0] for k in KINDS),
                        help="test kinds to compare (comma-separated labels)")
    parser.add_argument("--tentacles", type=int, default=2,
                        help="K for the K-tentacle runs (1: none)")
    args = parser.parse_args()
    mp = os.path.abspath(args.micropython)
    tests = os.path.join(mp, "tests")
    mptest = os.path.abspath(args.mptest)
    shutil.rmtree(args.out, ignore_errors=True)
    os.makedirs(args.out)
    extra = os.environ.get("MPTEST_BUILD_ARGS", "").split()
    build_args = [f"--build_arg={','.join(extra)}"] if extra else []  # one comma-separated flag
    specs = os.path.join(args.out, "specs.textproto")
    write_specs(specs)
    rows, problems, by_hand = [], [], {}
    for port in args.ports.split(","):
        board = "UNIX" if port == "unix" else "MPS2_AN385"
        inventory = os.path.join(args.out, f"{port}-1.textproto")
        write_inventory(inventory, mp, port, 1)
        common = [mptest, "test", f"--inventory={inventory}", f"--specs={specs}",
                  f"--firmware_build={mp}", f"--micropython_tests={mp}",
                  f"--build_cache={args.out}/cache", "--jobs=1"] + build_args
        # 1. Build and flash through mptest (a one-test selection), so the firmware is mptest's.
        results = os.path.join(args.out, f"{port}-build")
        code, _ = run(common + [f"--testresults={results}", "--only-test=RUN-TESTS_STANDARD:"
                                "run-tests.py basics/andor.py"], results + ".log")
        with open(os.path.join(results, "context.json")) as f:
            context = json.load(f)
        firmware = [b["firmware"] for b in context.get("builds", []) if b.get("board") == board]
        if code not in (0, 1) or not firmware:
            problems.append(f"{port}: mptest could not build and flash (exit {code}); "
                            f"see {results}.log")
            continue
        image = os.path.join(results, firmware[0])  # relative to the results, or absolute
        for label, harness, kind_args in KINDS:
            if label not in args.kinds.split(","):
                continue
            if harness == "native" and kind_args and port != "unix":
                continue
            # 2. run-tests.py by hand on the same image (once per argument list).
            hand_dir = os.path.join(args.out, f"{port}-by-hand{''.join(kind_args)}")
            if hand_dir in by_hand:
                reference, hand_s = by_hand[hand_dir]
            else:
                reference, hand_s = run_by_hand(mp, port, image, kind_args, hand_dir, tests)
                by_hand[hand_dir] = (reference, hand_s)
            # 3. mptest, one tentacle and K tentacles.
            for count in sorted({1, args.tentacles}):
                inv = os.path.join(args.out, f"{port}-{count}.textproto")
                write_inventory(inv, mp, port, count)
                results = os.path.join(args.out, f"{port}-{label}-{count}")
                code, wall_s = run([a if not a.startswith("--inventory=") else
                                    f"--inventory={inv}" for a in common] +
                                   [f"--testresults={results}", f"--only-test={label}",
                                    f"--jobs={count}"], results + ".log")
                verdicts, group_s, error = verdicts_of_mptest(results, label)
                differ = compare(reference, verdicts or {})
                if verdicts is None or error:
                    problems.append(f"{port} {label} x{count}: {error or 'no verdicts'} "
                                    f"(exit {code}, {results}.log)")
                problems += [f"{port} {label} x{count}: {d}" for d in differ]
                rows.append((port, label, count, len(reference), len(differ), hand_s, group_s,
                             wall_s))
    print(f"{'port':5} {'kind':28} {'K':>2} {'tests':>5} {'differ':>6} {'by hand s':>9} "
          f"{'mptest run s':>12} {'ratio':>6} {'campaign s':>10}")
    for port, label, count, n, differ, hand_s, group_s, wall_s in rows:
        ratio = group_s / hand_s if hand_s else 0
        print(f"{port:5} {label:28} {count:>2} {n:>5} {differ:>6} {hand_s:>9.1f} {group_s:>12.1f} "
              f"{ratio:>6.2f} {wall_s:>10.1f}")
    for problem in problems:
        print("PROBLEM:", problem)
    print("compare: FAILED" if problems else "compare: PASSED")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
