#!/usr/bin/env bash
# mptest on a real Slurm cluster (issue 16): one controller and three hosts in network namespaces
# (cluster.sh), configured by `mptest slurm-config` from testdata/inventories/slurm_lab.textproto
# (nine virtual tentacles, three per host). It shows:
#   1. a campaign over the three hosts passes, every run recorded once, every host used;
#   2. two campaigns started together both pass, and no tentacle ever ran two attempts at once
#      (from the attempts' start and end times in both results.json);
#   3. killing one host (its slurmd and everything on it) mid-run makes its runs lost, they run
#      again on the other hosts, the campaign records every run once, and nothing is left running.
# Needs root and Debian's slurmctld, slurmd, slurm-client and munge (./bazelw installs them). On a
# machine without them it fails with "NOT RUN: ..." naming what is missing: never a pass.
# Usage: cluster_test.sh [MPTEST]   (Bazel passes the mptest binary)
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ -n "${TEST_SRCDIR:-}" ]]; then
  root="$TEST_SRCDIR/mptest"
  mptest="$root/tools/mptest"
  cluster="$root/tests/slurm/cluster.sh"
else
  root="$(cd "$here/../.." && pwd)"
  mptest="${1:-$root/bazel-bin/tools/mptest}"
  cluster="$here/cluster.sh"
fi
inventory="$root/testdata/inventories/slurm_lab.textproto"

export PATH="$PATH:/usr/sbin:/sbin"  # the daemons live there; Bazel's test PATH lacks it
missing=()
((EUID == 0)) || missing+=("root (network namespaces, Slurm's daemons)")
for program in slurmctld slurmd srun sinfo scancel munged nsenter unshare ip; do
  command -v "$program" >/dev/null || missing+=("$program")
done
if ((${#missing[@]})); then
  echo "cluster_test: NOT RUN: this machine lacks: ${missing[*]}" >&2
  exit 1
fi

# Under /tmp, not TEST_TMPDIR: munge's and Slurm's unix socket paths must stay short.
work="$(mktemp -d /tmp/mptest-slurm.XXXXXX)"
started=0
cleanup() {
  ((started)) && "$cluster" down "$work/cluster" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "cluster_test: FAIL: $*" >&2
  for log in "$work"/*.out "$work"/*/mptest.log; do
    [[ -e $log ]] && { echo "--- $log"; tail -n 25 "$log"; }
  done >&2
  exit 1
}

# The lab's Slurm configuration, from the inventory.
"$mptest" slurm-config --inventory="$inventory" --slurm_config_out="$work/conf" >/dev/null \
  || fail "mptest slurm-config failed"
"$cluster" up "$work/cluster" "$work/conf/slurm-mptest.conf" "$work/conf/gres.conf" \
  >"$work/up.out" 2>&1 || fail "the cluster did not come up: $(tail -n 20 "$work/up.out")"
started=1
echo "cluster_test: $(tail -n 1 "$work/up.out")"

# A campaign on the cluster: mptest runs where srun reaches the controller; its workers share
# one state directory per host (all hosts see this filesystem; labels keep them apart).
campaign() {  # NAME [more mptest flags...]
  local name="$1"
  shift
  timeout 600 "$cluster" client "$work/cluster" "$mptest" --executor=slurm \
    --inventory="$inventory" --testresults="$work/$name" --build_cache="$work/cache-$name" \
    --slurm_worker="$mptest,worker,--worker_dir=$work/worker" --jobs=0 "$@" \
    >"$work/$name.out" 2>&1
}
# What `mptest list-tests` says will run: one run per board-variant a test kind runs on.
count_runs() {  # INVENTORY
  "$mptest" list-tests --inventory="$1" | grep 'runs on:' | grep -v '(nothing selected)' \
    | sed 's/.*runs on://' | wc -w
}
planned_runs="$(count_runs "$inventory")"

# Checks results.json: every planned run recorded exactly once (its last attempt), by name.
check_results() {  # NAME EXPECTED_RUNS
  python3 - "$work/$1/results.json" "$2" <<'EOF' || fail "$1: results.json: see above"
import collections, json, sys
groups = json.load(open(sys.argv[1]))["groups"]
runs = collections.Counter(g["testid"] for g in groups if g["attempt"] == "a")
twice = [t for t, n in runs.items() if n > 1]
if twice or len(runs) != int(sys.argv[2]):
    sys.exit(f"{len(runs)} runs recorded (want {sys.argv[2]}), twice: {twice}")
errors = [(g["testid"], g["msg_error"]) for g in groups if g["msg_error"]]
if errors:
    sys.exit(f"runs with errors: {errors}")
EOF
}

echo "cluster_test: 1. one campaign over three hosts ($planned_runs runs)"
campaign one || fail "campaign one: exit $? (want 0)"
check_results one "$planned_runs"
hosts_used="$(grep -ho 'running on h[0-9]' "$work/one/mptest.log" | sort -u | wc -l)"
((hosts_used == 3)) || fail "campaign one ran on $hosts_used hosts, not 3"

echo "cluster_test: 2. two campaigns at once share the lab"
campaign left & left=$!
campaign right & right=$!
wait "$left" || fail "campaign left: exit $? (want 0)"
wait "$right" || fail "campaign right: exit $? (want 0)"
check_results left "$planned_runs"
check_results right "$planned_runs"
python3 - "$work/left/results.json" "$work/right/results.json" <<'EOF' || fail "a tentacle ran two attempts at once"
import collections, json, sys
spans = collections.defaultdict(list)
for path in sys.argv[1:]:
    for g in json.load(open(path))["groups"]:
        spans[g["tentacle"]].append((g["start_s"], g["end_s"], path.split("/")[-2], g["testid"]))
for tentacle, runs in spans.items():
    runs.sort()
    for a, b in zip(runs, runs[1:]):
        if b[0] < a[1]:
            sys.exit(f"{tentacle}: {a} overlaps {b}")
print(f"cluster_test: no overlap on {len(spans)} tentacles")
EOF

echo "cluster_test: 3. a host dies mid-run"
# Slow boards (3 s to boot) so that runs are under way on h2 when it dies.
slow="$work/slow_lab.textproto"
sed -e 's/ host: "\(h[0-9]\)" }/ host: "\1" faults { boot_delay_s: 3 } }/' "$inventory" >"$slow"
inventory="$slow"
campaign dying &
dying=$!
for _ in $(seq 100); do  # until a run holds a tentacle of h2 (bounded: 20 s)
  "$cluster" client "$work/cluster" squeue -h -w h2 -t R -o %i 2>/dev/null | grep -q . && break
  sleep 0.2
done
"$cluster" kill-host "$work/cluster" h2 >"$work/kill.out" 2>&1 || fail "kill-host h2 failed"
wait "$dying"
code=$?
((code == 3)) || fail "campaign dying: exit $code (want 3: h2's tentacles were quarantined)"
planned_slow="$(count_runs "$slow")"
check_results dying "$planned_slow"
python3 - "$work/dying/results.json" <<'EOF' || fail "the lost runs: see above"
import json, sys
groups = json.load(open(sys.argv[1]))["groups"]
lost = [g for g in groups if g.get("lost")]
if not lost:
    sys.exit("no run says it was lost with h2")
if any("02-" in g["tentacle"] for g in lost):  # h2's tentacles are 1a02, 2b02, 3c02
    sys.exit(f"a lost run ran again on h2: {[(g['testid'], g['tentacle']) for g in lost]}")
print(f"cluster_test: {len(lost)} run(s) lost with h2 ran again elsewhere: "
      + ", ".join(g["testid"] for g in lost))
EOF
grep -q "quarantined: its host h2 was lost" "$work/dying/mptest.log" \
  || fail "h2's tentacles were not quarantined for the lost host"
# Nothing of the campaign is left: no job in Slurm's queue, no worker, no board.
leftover="$("$cluster" client "$work/cluster" squeue -h -t R,PD -o '%i %j %T %N' 2>/dev/null)"
[[ -z $leftover ]] || fail "jobs left in Slurm: $leftover"
if pgrep -f -- "--worker_dir=$work/worker" >/dev/null; then fail "a worker is still running"; fi
if pgrep -f -- "$work/worker/tentacles" >/dev/null; then fail "a board is still running"; fi

"$cluster" down "$work/cluster" >"$work/down.out" 2>&1 || fail "cluster down failed"
started=0
echo "cluster_test: PASS"
