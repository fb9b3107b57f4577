#!/usr/bin/env python3
"""Real MicroPython firmware end to end (issue 18): Debian's micro:bit firmware
(firmware-microbit-micropython, MicroPython v1.9.2) on two qemu microbit tentacles.

1. A campaign with an empty build cache: the prebuilt builder takes the firmware file, each
   tentacle is flashed and verified, and the native harness runs the small and micro:bit suites
   of the default lab; every verdict must match the expected outputs (all pass). The firmware
   has no raw-paste mode: the runs' logs show the plain raw mode the client fell back to.
2. The same campaign again: the boards already run that firmware, so nothing is flashed. The
   small suite is split in two shards (--split) that the two micro:bits share: between them
   they run every test once, reported under the one test kind.
3. A suite with a test that fails on the real board (single-precision floats): reported failed,
   with its diff, beside a test that passes; exit 1.
4. An 8-second test whose board's emulator is killed (SIGKILL) in the middle: the run ends at
   once (not at its 60 s deadline) and the failure says the board's process was killed.
5. A firmware file without a banner (--firmware=MICROBIT=<file>, the banner bytes garbled): the
   prebuilt builder cannot tell its version, so it is flashed and the board's answer kept; the
   next campaign knows it and flashes nothing.
Needs qemu-system-arm and firmware-microbit-micropython (./bazelw installs both)."""
import glob
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TEST_SRCDIR", ""), "mptest", "tests", "common"))
from mptest_test_util import finish, processes, runfile, wait_until  # noqa: E402

FIRMWARE = "/usr/share/firmware-microbit-micropython/firmware.hex"
IDENTITY = ";3.4.0; MicroPython v1.9.2-34-gd64154c73 on 2017-09-01;"
NOTICED_WITHIN_S = 4  # a kill noticed "at once"; unnoticed, the run waits for its 60 s deadline


def missing_tools():
    missing = []
    if not os.path.exists(FIRMWARE):
        missing.append(f"{FIRMWARE} (Debian package firmware-microbit-micropython)")
    if not any(os.access(os.path.join(d, "qemu-system-arm"), os.X_OK)
               for d in os.environ.get("PATH", "/usr/bin").split(":")):
        missing.append("qemu-system-arm (Debian package qemu-system-arm)")
    return missing


class Lab:
    def __init__(self, work):
        self.work = work
        self.inventory = runfile("tests/microbit/two_microbits.textproto")
        self.count = 0

    def start(self, *flags):
        self.count += 1
        results = os.path.join(self.work, f"results{self.count}")
        argv = [runfile("tools/mptest"), "test", f"--inventory={self.inventory}",
                f"--testresults={results}", f"--build_cache={self.work}/cache",
                f"--lock_dir={self.work}/lock", *flags]
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, env=dict(os.environ, NO_COLOR="1"), cwd=self.work)
        return process, results

    def run(self, *flags):
        process, results = self.start(*flags)
        output, _ = process.communicate(timeout=180)
        return process.returncode, output, results


def outcomes(results):
    """(testid, attempt, test name) -> outcome dict, from results.json."""
    with open(os.path.join(results, "results.json")) as handle:
        document = json.load(handle)
    return {(group["testid"], group["attempt"], outcome["name"]): outcome
            for group in document["groups"] for outcome in group["outcomes"]}


def without_banner(source, target):
    """Debian's firmware with "MicroPython v" garbled in its data (the records re-encoded with
    their checksums): an image the prebuilt builder finds no banner in, that still boots."""
    lines = [line.strip() for line in open(source) if line.strip()]
    data_records = [i for i, line in enumerate(lines) if line[7:9] == "00"]
    data = b"".join(bytes.fromhex(lines[i][9:-2]) for i in data_records)
    data = data.replace(b"MicroPython v", b"MicroPythoN v")  # also across record boundaries
    at = 0
    for i in data_records:
        record = bytearray.fromhex(lines[i][1:-2])
        size = record[0]
        record[4:] = data[at:at + size]
        at += size
        lines[i] = ":" + record.hex().upper() + "%02X" % ((-sum(record)) & 0xff)
    with open(target, "w") as out:
        out.write("\n".join(lines) + "\n")


def suite_tests(directory):
    return sorted(f"{directory}/{os.path.basename(path)}"
                  for path in glob.glob(runfile(f"testdata/suite/{directory}") + "/*.py"))


def main():
    missing = missing_tools()
    if missing:
        print("NOT RUN: missing " + "; ".join(missing) + " (run ./bazelw, which installs them)")
        return 1
    work = os.path.join(os.environ.get("TEST_TMPDIR", "/tmp"), "microbit")
    os.makedirs(work)
    lab = Lab(work)
    problems = []

    # 1. Build (prebuilt), flash, verify, test.
    code, output, results = lab.run()
    if code != 0:
        problems.append(f"first campaign: exit {code}, expected 0:\n{output[-3000:]}")
    verdicts = outcomes(results)
    expected = {f"RUN-TESTS_{kind.upper()}": suite_tests(kind) for kind in ("small", "microbit")}
    for kind, tests in expected.items():
        got = {name: o["outcome"] for (testid, _, name), o in verdicts.items()
               if testid.startswith(kind + "@")}
        if not tests or got != {name: "passed" for name in tests}:
            problems.append(f"{kind}: verdicts {got}, expected every one of {tests} passed")
    flashed = glob.glob(os.path.join(results, "*", "flashing_stdout.txt"))
    if len(flashed) != 2:
        problems.append(f"first campaign: {len(flashed)} runs flashed, expected one per tentacle "
                        f"(2): {flashed}")
    with open(os.path.join(results, "results.json")) as handle:
        if IDENTITY not in handle.read():
            problems.append(f"results.json does not record the firmware's version {IDENTITY!r}")
    for log in glob.glob(os.path.join(results, "RUN-TESTS_*", "testresults.txt")):
        with open(log) as handle:
            if "code sent by plain raw mode (the firmware has no raw paste)" not in handle.read():
                problems.append(f"{log}: no sign of the fallback from raw paste to plain raw mode")

    # 2. Flash skipped: the boards already run this firmware. The small suite in two shards.
    code, output, results = lab.run("--split=RUN-TESTS_SMALL=2")
    if code != 0:
        problems.append(f"second campaign: exit {code}, expected 0:\n{output[-3000:]}")
    reflashed = glob.glob(os.path.join(results, "*", "flashing_stdout.txt"))
    if reflashed:
        problems.append(f"second campaign flashed again: {reflashed}")
    with open(os.path.join(results, "results.json")) as handle:
        groups = json.load(handle)["groups"]
    shards = [g for g in groups if g["testid"].startswith("RUN-TESTS_SMALL.")]
    ran = sorted(o["name"] for g in shards for o in g["outcomes"] if o["outcome"] == "passed")
    if sorted(g["testid"].split("@")[0] for g in shards) != ["RUN-TESTS_SMALL.1of2",
                                                             "RUN-TESTS_SMALL.2of2"] or \
            ran != expected["RUN-TESTS_SMALL"] or \
            {g["testgroup"] for g in shards} != {"RUN-TESTS_SMALL"}:
        problems.append(f"split: shards {[(g['testid'], g['testgroup']) for g in shards]} ran "
                        f"{ran}; expected two shards of RUN-TESTS_SMALL passing every one of "
                        f"{expected['RUN-TESTS_SMALL']} once")

    # 3. A test that fails on the real board.
    suite = runfile("tests/microbit/suite")
    specs = runfile("tests/microbit/specs.textproto")
    code, output, results = lab.run(f"--micropython_tests={suite}", f"--specs={specs}",
                                    "--only-test=RUN-TESTS_FAILS")
    if code != 1:
        problems.append(f"failing suite: exit {code}, expected 1:\n{output[-3000:]}")
    verdicts = {name: o for (_, _, name), o in outcomes(results).items()}
    failing = verdicts.get("fails/float_precision.py", {})
    if failing.get("outcome") != "failed" or "+0.333333\n" not in failing.get("diff", ""):
        problems.append(f"fails/float_precision.py: not failed with its diff: {failing}")
    if verdicts.get("fails/passes.py", {}).get("outcome") != "passed":
        problems.append(f"fails/passes.py: {verdicts.get('fails/passes.py')}")

    # 4. The board's emulator killed in the middle of an 8-second test.
    process, results = lab.start(f"--micropython_tests={suite}", f"--specs={specs}",
                                 "--only-test=RUN-TESTS_SLOW")
    run_dirs = os.path.join(results, "RUN-TESTS_SLOW@*,a")
    if not wait_until(lambda: glob.glob(run_dirs), 30):
        problems.append("the slow run never started")
    # The run has started; its one test prints for 8 s. 2 s in, the kill lands inside it.
    time.sleep(2)
    tentacle = os.path.basename(glob.glob(run_dirs)[0]).split("@")[1].split(",")[0]
    emulators = [p.pid for p in processes() if p.command.startswith("qemu-system-arm ")
                 and f"{work}/cache/tentacles/{tentacle}/" in p.command]
    if len(emulators) != 1:
        problems.append(f"expected one qemu for {tentacle}, found {emulators}")
    else:
        os.kill(emulators[0], signal.SIGKILL)
        killed_at = time.monotonic()
        output, _ = process.communicate(timeout=120)
        noticed_after = time.monotonic() - killed_at
        if noticed_after > NOTICED_WITHIN_S:
            problems.append(f"the campaign ended {noticed_after:.1f} s after the kill; "
                            f"expected under {NOTICED_WITHIN_S} s")
        slow = [o for (_, _, name), o in outcomes(results).items() if name == "slow/sleeper.py"]
        if not slow or slow[0]["outcome"] != "failed" or \
                "killed by signal 9" not in slow[0]["text"]:
            problems.append(f"slow/sleeper.py after the kill: {slow}; expected failed, naming "
                            f"the killed board process\n{output[-2000:]}")
    if process.poll() is None:
        process.kill()
        process.wait()

    # 5. No banner: flashed once, the board's answer kept, not flashed the next time.
    garbled = os.path.join(work, "MICROBIT.hex")
    without_banner(FIRMWARE, garbled)
    for campaign in (1, 2):
        code, output, results = lab.run(f"--firmware=MICROBIT={garbled}",
                                        "--only-test=RUN-TESTS_MICROBIT")
        flashed = glob.glob(os.path.join(results, "*", "flashing_stdout.txt"))
        with open(os.path.join(results, "mpbuild", "MICROBIT", "build.log")) as handle:
            build_log = handle.read()
        if code != 0 or len(flashed) != (1 if campaign == 1 else 0) or \
                ("what a board said" in build_log) != (campaign == 2):
            problems.append(f"bannerless firmware, campaign {campaign}: exit {code}, flashed "
                            f"{flashed}, build log {build_log!r}\n{output[-2000:]}")

    time.sleep(0.5)  # the relays end their emulators when the campaign ends
    left = [p for p in processes() if p.command.startswith("qemu-system-arm ") and work in p.command]
    problems += [f"an emulator outlived its campaign: {p.pid} {p.command}" for p in left]
    return finish("microbit_e2e_test", problems)


if __name__ == "__main__":
    sys.exit(main())
