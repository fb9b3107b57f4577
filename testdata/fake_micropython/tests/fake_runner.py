"""Shared body of the fake MicroPython test runners (run-tests.py and friends).

Accepts the real runners' options, records how it was called in <result-dir>/fake_invocation.json
and writes <result-dir>/_results.json in the real format. Verdicts come from marker lines in the
test files ("# fake: fail", "# fake: skip"); everything else passes. Failed tests leave
<result-dir>/<test with / as _>.exp and .out, as run-tests.py does.
"""

import argparse
import glob
import json
import os
import subprocess
import sys


def verdict(path):
    with open(path) as f:
        text = f.read()
    if "# fake: fail" in text:
        return "fail", ""
    if "# fake: skip" in text:
        return "skip", "fake skip"
    return "pass", ""


def main(runner):
    parser = argparse.ArgumentParser(prog=runner)
    parser.add_argument("-t", "--test-instance", action="append", default=[])
    parser.add_argument("-r", "--result-dir", default="results")
    # As the real run-tests.py: nargs="*", a second -d replaces the first.
    parser.add_argument("-d", "--test-dirs", nargs="*", default=[])
    parser.add_argument("-e", "--exclude", action="append", default=[])
    parser.add_argument("-i", "--include", action="append", default=[])
    parser.add_argument("-j", "--jobs", default="1")
    parser.add_argument("--via-mpy", action="store_true")
    parser.add_argument("--emit", default="bytecode")
    parser.add_argument("--fake-exit", type=int, default=None)
    parser.add_argument("--fake-no-results", action="store_true")
    parser.add_argument("--fake-sleep", type=float, default=0)
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    os.makedirs(args.result_dir, exist_ok=True)

    invocation = {
        "runner": runner,
        "argv": sys.argv[1:],
        "cwd": os.getcwd(),
        "env": {k: os.environ.get(k) for k in
                ("MICROPY_TEST_TIMEOUT", "MICROPY_MPYCROSS", "PYTHONUNBUFFERED", "FAKE_EXTRA")},
    }
    if args.via_mpy:
        mpy_cross = os.environ.get("MICROPY_MPYCROSS", "")
        out = subprocess.run([mpy_cross, "--version"], capture_output=True, text=True)
        invocation["mpy_cross_version"] = out.stdout.strip()
    with open(os.path.join(args.result_dir, "fake_invocation.json"), "w") as f:
        json.dump(invocation, f, indent=1)

    if args.fake_sleep:
        import time
        time.sleep(args.fake_sleep)

    files = args.files
    if runner == "run-perfbench.py":
        files = files[2:]  # N M come first
        files = files or sorted(glob.glob("perf_bench/*.py"))
    elif not files:
        for d in args.test_dirs or ["basics"]:
            files += glob.glob(os.path.join(d, "*.py"))
        files.sort()
        files = [f for f in files if not any(p in f for p in args.exclude)]
    if os.environ.get("FAKE_DROP_LAST") and files:
        files = files[:-1]  # a runner that silently leaves a selected test out

    results = []
    for test in files:
        outcome, reason = verdict(test)
        if args.dry_run:
            outcome, reason = ("skip", reason) if outcome == "skip" else ("found", "")
        results.append([test, outcome, reason])
        if runner == "run-tests.py" and not args.dry_run:  # its words: print("pass ", test)
            print({"pass": "pass ", "fail": "FAIL ", "skip": "skip "}[outcome], test, flush=True)
        elif runner == "run-natmodtests.py":  # print("{:4}  {}{}".format(result, ...))
            word = {"pass": "pass", "fail": "FAIL", "skip": "SKIP"}[outcome]
            print("{:4}  {}".format(word, test), flush=True)
        else:
            print(f"{outcome} {test}")
        if outcome == "fail":
            base = os.path.join(args.result_dir, test.replace("/", "_"))
            with open(base + ".exp", "w") as f:
                f.write("expected\n")
            with open(base + ".out", "w") as f:
                f.write("got something else\n")
    failed = [r[0] for r in results if r[1] == "fail"]
    if args.dry_run:
        invocation_name = "fake_dry_run.json"
        with open(os.path.join(args.result_dir, invocation_name), "w") as f:
            json.dump(invocation, f, indent=1)
    if not args.fake_no_results:
        with open(os.path.join(args.result_dir, "_results.json"), "w") as f:
            json.dump({"args": vars(args), "results": results, "failed_tests": failed}, f)
    print(f"{len(results)} tests performed, {len(failed)} failed")
    if args.fake_exit is not None:
        sys.exit(args.fake_exit)
    sys.exit(1 if failed else 0)
