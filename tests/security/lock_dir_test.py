#!/usr/bin/env python3
"""The campaign's lock directory against another local user (issue 14, item 1).

mptest keeps its locks in a private directory ($XDG_RUNTIME_DIR/mptest here). Another user who
makes that directory first (open to everyone, or their own, with a symlink to a victim file
inside) must get nothing from it: mptest refuses it with exit 2 naming the directory, before
anything runs, and writes nothing through it. As root the directory is really given to another
user (nobody); otherwise the test makes it with the wrong mode only. A good directory is made
0700 and works.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ.get("TEST_SRCDIR", ""), "mptest", "tests", "common"))
from mptest_test_util import finish, runfile  # noqa: E402

NOBODY = 65534


def run(work, runtime, *extra):
    argv = [runfile("tools/mptest"), "test", "--only-test=RUN-FLASH_FORMAT",
            f"--testresults={work}/results", f"--build_cache={work}/cache", *extra]
    env = dict(os.environ, XDG_RUNTIME_DIR=runtime, NO_COLOR="1")
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env, cwd=work)


def hostile_case(work, name, mode, owner):
    runtime = os.path.join(work, name)
    lock_dir = os.path.join(runtime, "mptest")
    os.makedirs(lock_dir)
    victim = os.path.join(work, f"{name}-victim")
    with open(victim, "w") as out:
        out.write("precious\n")
    os.chmod(victim, 0o600)
    os.symlink(victim, os.path.join(lock_dir, "planted"))
    os.chmod(lock_dir, mode)
    if owner is not None:
        os.chown(lock_dir, owner, owner)
    result = run(work, runtime)
    problems = []
    if result.returncode != 2:
        problems.append(f"{name}: exit {result.returncode}, want 2: {result.stderr[-500:]}")
    if lock_dir not in result.stderr:
        problems.append(f"{name}: the message does not name {lock_dir}: {result.stderr!r}")
    if os.listdir(lock_dir) != ["planted"]:
        problems.append(f"{name}: mptest wrote into the hostile directory: {os.listdir(lock_dir)}")
    with open(victim) as handle:
        if handle.read() != "precious\n":
            problems.append(f"{name}: the victim file was changed")
    if os.path.exists(os.path.join(work, "results")):
        problems.append(f"{name}: a results directory was made although the lock was refused")
    print(f"{name}: exit {result.returncode}: {result.stderr.strip()}")
    return problems


def main():
    work = os.path.join(os.environ.get("TEST_TMPDIR", "/tmp"), "lock_dir")
    os.makedirs(work)
    problems = hostile_case(work, "world_writable", 0o777, None)
    problems += hostile_case(work, "group_readable", 0o750, None)
    if os.geteuid() == 0:
        problems += hostile_case(work, "other_user", 0o700, NOBODY)
    else:
        print("other_user: not root, so no directory of another user can be made; the mode "
              "cases stand for it")
    # A directory mptest makes itself is private and works.
    runtime = os.path.join(work, "good")
    os.makedirs(runtime, mode=0o700)
    result = run(work, runtime)
    if result.returncode != 0:
        problems.append(f"good: exit {result.returncode}: {result.stderr[-800:]}")
    mode = os.stat(os.path.join(runtime, "mptest")).st_mode & 0o777
    if mode != 0o700:
        problems.append(f"good: the lock directory has mode {mode:o}, want 700")
    return finish("lock dir", problems)


if __name__ == "__main__":
    sys.exit(main())
