"""Helpers shared by the end-to-end test scripts in tests/ (soak, kill, security): finding
mptest's files in the runfiles, listing processes, and ending a test with its list of problems."""
import collections
import os

Process = collections.namedtuple("Process", "pid state ppid sid command")


def runfile(path):
    """The runfiles path of a file of this workspace (path relative to the workspace root)."""
    for root in (os.environ.get("RUNFILES_DIR"), os.environ.get("TEST_SRCDIR")):
        if root and os.path.exists(os.path.join(root, "mptest", path)):
            return os.path.join(root, "mptest", path)
    return path


def finish(name, problems):
    """Prints every problem and the verdict; the exit status for sys.exit."""
    for problem in problems:
        print("PROBLEM:", problem)
    print(f"{name}: FAILED" if problems else f"{name}: PASSED")
    return 1 if problems else 0


def processes():
    """Every process now alive (this one included), read from /proc; ones that end meanwhile are
    left out."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):
            continue
        found.append(Process(int(entry), fields[0], int(fields[1]), int(fields[3]), command))
    return found
