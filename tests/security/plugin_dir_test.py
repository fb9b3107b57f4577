#!/usr/bin/env python3
"""End to end through `mptest plugins`: a world-writable plugin directory given with
--plugin_path is refused with a warning that says why and how to fix it, and no plugin is
loaded from it; the same directory once made owner-writable is searched (its plugin listed)."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ.get("TEST_SRCDIR", ""), "mptest", "tests", "common"))
from mptest_test_util import finish, runfile  # noqa: E402


def plugins(directory):
    run = subprocess.run([runfile("tools/mptest"), "plugins", f"--plugin_path={directory}"],
                         capture_output=True, text=True, timeout=60)
    return run.returncode, run.stdout + run.stderr


def main():
    directory = os.path.join(os.environ.get("TEST_TMPDIR", "/tmp"), "plugins")
    os.makedirs(directory)
    shutil.copy(runfile("plugins/harnesses/libnative.so"), os.path.join(directory, "libnative.so"))
    problems = []
    os.chmod(directory, 0o777)
    code, output = plugins(directory)
    expected = (f"plugin directory {directory} is world-writable (mode 0777): anyone on this "
                "machine could put code there")
    if expected not in output or f"chmod o-w {directory}" not in output:
        problems.append(f"no warning saying why the directory is refused:\n{output}")
    if os.path.join(directory, "libnative.so") in output.replace(expected, ""):
        problems.append("a plugin from the world-writable directory was listed")
    os.chmod(directory, 0o755)
    code, output = plugins(directory)
    if "world-writable" in output:
        problems.append(f"an owner-only directory was refused:\n{output}")
    if os.path.join(directory, "libnative.so") not in output:
        problems.append(f"the plugin of the owner-only directory was not found:\n{output}")
    return finish("plugin dir", problems)


if __name__ == "__main__":
    sys.exit(main())
