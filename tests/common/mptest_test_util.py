"""Helpers shared by the end-to-end test scripts in tests/ (soak, kill, security): finding
mptest's files in the runfiles, and ending a test with its list of problems."""
import os


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
