"""Helpers shared by the end-to-end test scripts in tests/ (soak, kill, security, input):
finding mptest's files in the runfiles, listing processes, writing a small virtual lab, waiting
for a condition, and ending a test with its list of problems."""
import collections
import os
import time

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


def write_virtual_lab(work, prefix, boards, specs, inventories=("",), bytes_per_second=6000):
    """A small virtual lab under `work`: board definitions <PREFIX>_<n> in boards/, one
    inventory<name>.textproto per name in `inventories` (a tentacle per board, slow lines so
    that runs take a while, labels starting with the name, else the prefix's first letter) and
    specs.textproto with `specs` test kinds <PREFIX>-<nn> running basics/ on one tentacle."""
    os.makedirs(os.path.join(work, "boards"))
    names = [f"{prefix}_{index}" for index in range(boards)]
    for board in names:
        with open(os.path.join(work, "boards", board + ".textproto"), "w") as out:
            out.write(f'name: "{board}"\nport: "virtual"\nvariants: ""\n'
                      'programmer { name: "virtual" }\nfeatures: "MCU_ONLY"\n'
                      'firmware_kind: "vimg"\n')
    for name in inventories:
        letter = name.strip("_") or prefix[0].lower()
        with open(os.path.join(work, f"inventory{name}.textproto"), "w") as inventory:
            inventory.write(f'name: "{prefix.lower()}_lab"\n')
            for index, board in enumerate(names):
                inventory.write(f'tentacles {{ label: "{letter}{index}-{board}" type: "virtual" '
                                f'board: "{board}" '
                                f'faults {{ line_bytes_per_second: {bytes_per_second} }} }}\n')
    with open(os.path.join(work, "specs.textproto"), "w") as out:
        for index in range(specs):
            out.write(f'spec {{ label: "{prefix}-{index:02d}" fut: "MCU_ONLY" harness: "native" '
                      'args: "--test-dirs=basics" timeout_s: 30 tentacles: 1 }\n')


def wait_until(condition, seconds):
    """Polls `condition` every 50 ms until it is true or `seconds` pass; its last value."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    return condition()
