#!/usr/bin/env bash
# A harness's script reports to the campaign's reporter: run-tests.py here is a script that calls
# the reporter_send mptest ships (MPTEST_REPORTER_SEND; it finds the reporter through
# MPTEST_REPORTER_SOCKET: every harness subprocess gets both), and
# what it sent is in results.json's sections; the reporter's socket directory is gone after; and
# the campaign runs no thread beside its forked jobs (the reporter is served by its loop).
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
mp="$TEST_TMPDIR/micropython"
mkdir -p "$mp/tests/basics"
echo 'print(1)' >"$mp/tests/basics/a.py"
cat >"$mp/tests/run-tests.py" <<PY
#!/usr/bin/env python3
# A runner script that reports a section of its own, then passes its one test.
import argparse, json, os, subprocess, sys
parser = argparse.ArgumentParser()
parser.add_argument("-t", "--test-instance", action="append", default=[])
parser.add_argument("-r", "--result-dir", default="results")
parser.add_argument("-d", "--test-dirs", nargs="*", default=[])
parser.add_argument("-j", "--jobs", default="1")
parser.add_argument("files", nargs="*")
args = parser.parse_args()
with open(os.path.join(args.result_dir, "socket.txt"), "w") as f:
    f.write(os.environ.get("MPTEST_REPORTER_SOCKET", ""))
# The campaign's process (the topmost "mptest" above this one): how many threads it runs while
# its jobs are forked children. One: the reporter is served by its loop, not by a thread.
pid = os.getppid()
while True:
    parent = int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
    if "mptest" not in open(f"/proc/{parent}/comm").read():
        break
    pid = parent
with open(os.path.join(args.result_dir, "threads.txt"), "w") as f:
    f.write(str(len(os.listdir(f"/proc/{pid}/task"))))
subprocess.run([os.environ["MPTEST_REPORTER_SEND"], "--name=board-setup", "--result=passed", "--source=run-tests.py",
                "--detail=instance=" + ",".join(args.test_instance)], check=True)
os.makedirs(args.result_dir, exist_ok=True)
with open(os.path.join(args.result_dir, "_results.json"), "w") as f:
    json.dump({"args": {}, "results": [["basics/a.py", "pass", ""]]}, f)
print("pass  basics/a.py")
PY
cat >"$TEST_TMPDIR/specs.textproto" <<'EOF2'
spec { label: "RUN-REPORTER" fut: "MCU_ONLY" harness: "run_tests" args: ["-d", "basics"] timeout_s: 60 }
EOF2
tools/mptest --specs="$TEST_TMPDIR/specs.textproto" --micropython_tests="$mp" \
  --only-board=VIRTUAL_STM --testresults="$TEST_TMPDIR/r" --lock_dir="$TEST_TMPDIR/locks" \
  --build_cache="$TEST_TMPDIR/cache" >"$TEST_TMPDIR/out" 2>&1
rc=$?
[[ $rc -eq 0 ]] || fail "exit $rc, expected 0: $(tail -20 "$TEST_TMPDIR/out")"
/usr/bin/python3 - "$TEST_TMPDIR/r/results.json" <<'PY' || fail "results.json: $(cat "$TEST_TMPDIR/r/results.json")"
import json, sys
results = json.load(open(sys.argv[1]))
sections = results.get("sections", [])
assert len(sections) == 1, sections
section = sections[0]
assert section["name"] == "board-setup", section
assert section["result"] == "passed", section
assert section["source"] == "run-tests.py", section
assert section["details"]["instance"].startswith("port:"), section
PY
threads="$(cat "$TEST_TMPDIR"/r/RUN-REPORTER*/threads.txt)"
[[ "$threads" == 1 ]] || fail "the campaign ran $threads threads while its jobs were forked, expected 1"
socket="$(cat "$TEST_TMPDIR"/r/RUN-REPORTER*/socket.txt)"
[[ -n "$socket" ]] || fail "the runner script had no MPTEST_REPORTER_SOCKET"
[[ ! -e "$(dirname "$socket")" ]] || fail "the reporter's directory $(dirname "$socket") is left behind"
echo PASS
