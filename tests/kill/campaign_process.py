"""What the signal tests in tests/kill share: a campaign of mptest on a small virtual lab, started
in a session of its own; signals to it and waiting for its end (its whole session SIGKILLed if
it does not end in time); and the /proc scans for what it may have left running."""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TEST_SRCDIR", ""), "mptest", "tests", "common"))
import mptest_test_util  # noqa: E402
from mptest_test_util import runfile, wait_until  # noqa: E402


def lab_argv(work, results, *extra):
    """mptest's command line for the lab write_virtual_lab wrote under `work`, 4 jobs."""
    return [runfile("tools/mptest"), "test", f"--inventory={work}/inventory.textproto",
            f"--boards={work}/boards", f"--specs={work}/specs.textproto",
            f"--build_cache={work}/cache", f"--lock_dir={work}/lock", "--jobs=4",
            f"--testresults={results}", *extra]


def start(argv, log_path):
    """Starts mptest in a new session (its process group and sid are its pid), output to
    `log_path`."""
    with open(log_path, "w") as log:
        return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, env=dict(os.environ, NO_COLOR="1"))


def force_kill(process):
    """SIGKILL to the process's whole session (it leads it), then reaps it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def wait_for(process, condition, seconds, what):
    """Waits until `condition` holds while the campaign runs: None, or the problem (the
    campaign is then ended)."""
    if not wait_until(lambda: condition() or process.poll() is not None, seconds):
        force_kill(process)
        return f"{what} not reached after {seconds} s"
    if process.poll() is not None:
        return f"the campaign ended (exit {process.returncode}) before {what}"
    return None


def signal_and_wait(process, how, count=1, gap=0.2, timeout=30):
    """Sends `how` `count` times, `gap` seconds apart, and waits for the end: (exit code,
    seconds from the first signal to the end), or (None, problem) after `timeout` seconds
    (the session is then SIGKILLed)."""
    first = time.monotonic()
    for index in range(count):
        if index:
            time.sleep(gap)
        os.kill(process.pid, how)
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        force_kill(process)
        return None, f"mptest still running {timeout} s after {how.name}"
    return code, time.monotonic() - first


def alive(predicate):
    """Lines naming every live (not zombie) process for which predicate(sid, command) holds."""
    return [f"pid {p.pid} state {p.state}: {p.command[:100]}" for p in mptest_test_util.processes()
            if p.state != "Z" and predicate(p.sid, p.command)]


def boards_of(work):
    """The virtual boards of the lab under `work` that are alive."""
    return alive(lambda _, command: work in command and "virtual_board" in command)


def left_in_session(session):
    """What is alive in mptest's session (its job children) after it ended."""
    return alive(lambda sid, _: sid == session)
