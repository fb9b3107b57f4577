#!/usr/bin/env python3
"""Every bad input is refused before anything runs (issue 14, items 5 and 6; issue 13).

Each case runs `mptest test` with one bad input and expects exit 2 (a usage or configuration
error, never 1 "test failures" or 3 "infrastructure"), a message naming the file, field or flag,
an end within seconds (a FIFO or /dev/zero must not hang or eat memory), and no results
directory (nothing ran). Then: --inventory without --specs follows the one documented rule, and
an xfail file whose entries match nothing is warned about by name.
"""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ.get("TEST_SRCDIR", ""), "mptest", "tests", "common"))
from mptest_test_util import finish, runfile  # noqa: E402

WORK = os.path.join(os.environ.get("TEST_TMPDIR", "/tmp"), "bad_input")
GOOD_TENTACLE = 'tentacles { label: "t1-VIRTUAL_ESP" type: "virtual" board: "VIRTUAL_ESP" }\n'


def mptest(*args, timeout=30):
    argv = [runfile("tools/mptest"), *args]
    return subprocess.run(argv, capture_output=True, timeout=timeout, cwd=WORK,
                          env=dict(os.environ, NO_COLOR="1"))


def write(name, content, mode="w"):
    path = os.path.join(WORK, name)
    with open(path, mode) as out:
        out.write(content)
    return path


def expect_usage(name, expected, *args):
    """Runs `mptest test` with args; problems unless exit 2, `expected` in stderr, no results."""
    results = os.path.join(WORK, f"results-{name}")
    common = [f"--testresults={results}", f"--lock_dir={WORK}/locks",
              f"--build_cache={WORK}/cache"]
    try:
        run = mptest("test", *common, *args)
    except subprocess.TimeoutExpired:
        return [f"{name}: still running after 30 s (hangs on the input)"]
    stderr = run.stderr.decode(errors="replace")
    problems = []
    if run.returncode != 2:
        problems.append(f"{name}: exit {run.returncode}, want 2: {stderr[-600:]}")
    for part in expected:
        if part not in stderr:
            problems.append(f"{name}: stderr does not say {part!r}: {stderr[-600:]}")
    if os.path.exists(results):
        problems.append(f"{name}: a results directory was made: something ran")
    print(f"{name}: exit {run.returncode}: {stderr.strip()[:300]}")
    return problems


def main():
    os.makedirs(WORK)
    boards = runfile("boards")
    problems = []
    # Inventories that name nothing to test on.
    empty = write("empty.textproto", "")
    problems += expect_usage("empty inventory", [empty, "tentacles", "nothing to test"],
                             f"--inventory={empty}")
    named = write("named.textproto", 'name: "lab"\n')
    problems += expect_usage("no tentacles", [named, "tentacles"], f"--inventory={named}")
    # Things that are not configuration files at all.
    problems += expect_usage("directory", [WORK, "not a regular file (a directory)"],
                             f"--inventory={WORK}")
    fifo = os.path.join(WORK, "fifo")
    os.mkfifo(fifo)
    problems += expect_usage("fifo", [fifo, "a FIFO"], f"--inventory={fifo}")
    problems += expect_usage("/dev/zero", ["/dev/zero", "not a regular file"],
                             "--inventory=/dev/zero")
    huge = write("huge.textproto",
                 GOOD_TENTACLE + 'name: "' + "x" * (5 << 20) + '"\n')
    problems += expect_usage("5 MB inventory", [huge, "larger than the limit"],
                             f"--inventory={huge}")
    # Bytes that are not UTF-8: raw in the file, and escaped into a string field.
    raw = write("raw.textproto", GOOD_TENTACLE.encode() + b'name: "caf\xe9"\n', "wb")
    problems += expect_usage("raw non-UTF-8", [f"{raw}:2:", "not valid UTF-8"],
                             f"--inventory={raw}")
    escaped = write("escaped.textproto", GOOD_TENTACLE + 'name: "caf\\xe9"\n')
    problems += expect_usage("escaped non-UTF-8", [escaped, "field name", "not valid UTF-8"],
                             f"--inventory={escaped}")
    bad_boards = os.path.join(WORK, "bad_boards")
    shutil.copytree(boards, bad_boards)
    os.chmod(bad_boards, 0o755)
    board_file = os.path.join(bad_boards, "VIRTUAL_ESP.textproto")
    os.chmod(board_file, 0o644)
    with open(board_file, "ab") as out:
        out.write(b'build_args: "x\xff"\n')
    problems += expect_usage("non-UTF-8 board file", [board_file, "not valid UTF-8"],
                             f"--boards={bad_boards}")
    # Fault values out of range.
    for field, value in (("garble_fraction", "7.5"), ("drop_line_probability", "-1"),
                         ("hang_after_executions", "-3")):
        inventory = write(f"{field}.textproto", 'tentacles { label: "t1-VIRTUAL_ESP" '
                          f'type: "virtual" board: "VIRTUAL_ESP" faults {{ {field}: {value} }} }}\n')
        problems += expect_usage(field, [inventory, f"faults.{field}", "must be in"],
                                 f"--inventory={inventory}")
    # Plugin names nothing on the plugin path provides (issue 13).
    inventory = write("type.textproto", 'tentacles { label: "t1-VIRTUAL_ESP" '
                      'type: "virtaul" board: "VIRTUAL_ESP" }\n')
    problems += expect_usage("unknown tentacle type",
                             [inventory, "field type", "'virtaul'", "available:"],
                             f"--inventory={inventory}")
    specs = write("harness.textproto", 'spec { label: "RUN-X" fut: "MCU_ONLY" harness: "natve" '
                  'timeout_s: 30 tentacles: 1 }\n')
    problems += expect_usage("unknown harness", [specs, "spec 'RUN-X'", "field harness", "'natve'"],
                             f"--specs={specs}")
    # Flags.
    problems += expect_usage("--count=abc", ["--count", "abc"], "--count=abc")
    problems += expect_usage("unknown flag", ["unknown flag", "--no_such_flag"], "--no_such_flag=1")
    problems += expect_usage("missing value", ["--jobs: missing value"], "--jobs")
    problems += expect_usage("--plugin_path", ["--plugin_path: /nonexistent"],
                             "--plugin_path=/nonexistent")
    problems += expect_usage("--build_cache", ["--build_cache", "/proc/x"], "--build_cache=/proc/x")
    run = mptest("test", "--testresults=/", f"--lock_dir={WORK}/locks",
                 f"--build_cache={WORK}/cache")
    if run.returncode != 2 or b"--testresults: / " not in run.stderr:
        problems.append(f"--testresults=/: exit {run.returncode}: {run.stderr[-300:]!r}")
    problems += expect_usage("nothing selected", ["no selected tentacle"], "--only-tag=tier=99")
    problems += expect_usage("no test kind", ["leaves no test kind"], "--skip-fut=MCU_ONLY,EXTMOD_HARDWARE,WLAN,MCU_SMALL,MICROBIT")
    # One rule for the test kinds: --inventory alone keeps the built-in suite's kinds.
    lab = write("lab.textproto", GOOD_TENTACLE)
    listing = mptest("list-tests", f"--inventory={lab}")
    out = listing.stdout.decode()
    if listing.returncode != 0 or "RUN-TESTS_BASICS" not in out or "RUN-TESTS_STANDARD" in out:
        problems.append(f"--inventory alone: exit {listing.returncode}, kinds not the built-in "
                        f"suite's: {out[:400]} {listing.stderr[-300:]!r}")
    help_text = mptest("--helpfull").stdout.decode() + mptest("--helpfull").stderr.decode()
    if "without --micropython_tests" not in help_text:
        problems.append("--help does not state the --specs default rule")
    # xfail entries that can match nothing are warnings naming them; the run goes on.
    xfail = write("xfail.json", '{"RUN-NOPE": {"basics/a.py": ["VIRTUAL_ESP"]},'
                  ' "RUN-TESTS_BASICS": {"basics/a.py": ["NO_SUCH_BOARD"]}}')
    run = mptest("test", f"--xfail={xfail}", "--only-test=RUN-FLASH_FORMAT",
                 "--only-board=VIRTUAL_ESP", f"--testresults={WORK}/xfail-results",
                 f"--lock_dir={WORK}/locks", f"--build_cache={WORK}/cache", timeout=120)
    out = run.stdout.decode()
    for part in ('"RUN-NOPE": no test kind has this label',
                 '"NO_SUCH_BOARD" is no board or BOARD-VARIANT'):
        if part not in out:
            problems.append(f"xfail: no warning {part!r}: {out[:600]}")
    if run.returncode != 0:
        problems.append(f"xfail: exit {run.returncode}: {run.stderr[-400:]!r}")
    return finish("bad input", problems)


if __name__ == "__main__":
    sys.exit(main())
