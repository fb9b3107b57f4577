#!/usr/bin/env bash
# The live results directory: while a harness runs, what it reported so far is in results.json
# and the reports (the attempt "running", with its verdicts, rewritten about once a second);
# SIGTERM then ends the run, and the final results keep the verdict it had reported, with the
# attempt interrupted, and show nothing as running any more.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
mptest="tools/mptest"
work="$TEST_TMPDIR"
results="$work/results"
mkdir -p "$work/boards"
printf 'name: "FAULTY"\nport: "virtual"\nvariants: ""\nfeatures: "LIVE"\nfirmware_kind: "vimg"\n' \
  >"$work/boards/FAULTY.textproto"
printf 'name: "live_lab"\ntentacles { label: "f001-FAULTY" type: "faulty_board" board: "FAULTY" }\n' \
  >"$work/inventory.textproto"
# The harness reports live/first.py as passed, then hangs: only the live view has its verdict.
printf 'spec { label: "LIVE_RUN" fut: "LIVE" harness: "faulty_harness" timeout_s: 120 tentacles: 1
  env { key: "ReportFirst" value: "live/first.py" } env { key: "Run" value: "hang" } }\n' \
  >"$work/specs.textproto"
"$mptest" --inventory="$work/inventory.textproto" --boards="$work/boards" \
  --specs="$work/specs.textproto" --plugin_path=testdata/plugins --testresults="$results" \
  --lock_dir="$work/locks" --build_cache="$work/cache" >"$work/campaign.out" 2>&1 &
campaign=$!
trap 'kill -KILL $campaign 2>/dev/null' EXIT
# The reported verdict shows in results.json while the run goes on (waited for, up to 60 s).
running_json=""
for _ in $(seq 600); do
  kill -0 $campaign 2>/dev/null || fail "mptest ended early: $(tail -20 "$work/campaign.out")"
  if grep -q '"running": true' "$results/results.json" 2>/dev/null \
    && grep -q '"live/first.py"' "$results/results.json"; then
    running_json="$(cat "$results/results.json")"
    break
  fi
  sleep 0.1
done
[[ -n $running_json ]] || fail "results.json never showed the running attempt: $(cat "$results/results.json")"
grep -q '"directory_relative": "LIVE_RUN@f001-FAULTY,a"' <<<"$running_json" \
  || fail "the running attempt is not LIVE_RUN@f001-FAULTY,a: $running_json"
grep -q '"groups_running": 1' <<<"$running_json" || fail "summary: $running_json"
grep -q '## Running groups' "$results/report.md" || fail "report.md: $(cat "$results/report.md")"
grep -q 'LIVE_RUN@f001-FAULTY,a.*1 tests so far' "$results/report.md" \
  || fail "report.md does not say how far the attempt is: $(cat "$results/report.md")"
grep -q 'type="running"' "$results/junit.xml" || fail "junit.xml: $(cat "$results/junit.xml")"

kill -TERM $campaign
wait $campaign
rc=$?
trap - EXIT
[[ $rc -eq 3 ]] || fail "SIGTERM: exit $rc, expected 3: $(tail -20 "$work/campaign.out")"
python3 - "$results/results.json" <<'PY' || fail "final results.json: $(cat "$results/results.json")"
import json, sys
results = json.load(open(sys.argv[1]))
groups = {g["directory_relative"]: g for g in results["groups"]}
attempt = groups["LIVE_RUN@f001-FAULTY,a"]
assert not attempt["running"], attempt
assert attempt["msg_interrupted"], attempt
verdicts = {o["name"]: o["outcome"] for o in attempt["outcomes"]}
assert verdicts == {"live/first.py": "passed"}, verdicts
assert results["summary"]["groups_running"] == 0, results["summary"]
assert not any(g["running"] for g in results["groups"])
PY
grep -q 'Running groups' "$results/report.md" && fail "report.md still lists running groups"
pgrep -f "$results/" >/dev/null && fail "a process outlived the campaign: $(pgrep -af "$results/")"
echo PASS
