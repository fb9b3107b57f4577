#!/usr/bin/env bash
# Slurm's cost to mptest (issue 16), on a real cluster of three hosts in network namespaces
# (tests/slurm/cluster.sh) with the nine virtual tentacles of testdata/inventories/slurm_lab:
#   - overhead per attempt: srun's submission to the worker's final record, less the time the
#     run's attempts took on the host (median and max over a campaign's runs);
#   - the campaign's makespan on the cluster against the same lab run locally;
#   - two campaigns started together against one campaign of both their runs (the aim: 1.2x).
# Needs root and Slurm (as tests/slurm/cluster_test.sh).
# Usage: [BOOT_DELAY_S=2] bench/slurm_bench.sh [ROUNDS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"
cd "$root"
./bazelw build //tools:mptest >/dev/null 2>&1  # the overhead is Slurm's and the processes', not -c opt's
mptest="$root/bazel-bin/tools/mptest"
cluster="$root/tests/slurm/cluster.sh"
work="$(mktemp -d /tmp/mptest-slurm-bench.XXXXXX)"
trap '"$cluster" down "$work/cluster" >/dev/null 2>&1; rm -rf "$work"' EXIT
# The virtual boards answer in milliseconds, so a run takes well under a second, far shorter
# than a real board's; BOOT_DELAY_S (default 2) seconds of boot per attempt makes each run last
# about as long as a short real one (0: the plain lab, where per-campaign costs dominate).
inventory="$work/lab.textproto"
sed -e "s/ host: \"\(h[0-9]\)\" }/ host: \"\1\" faults { boot_delay_s: ${BOOT_DELAY_S:-2} } }/" \
  "$root/testdata/inventories/slurm_lab.textproto" >"$inventory"

# The same test kinds twice (labels ..._TWIN): one campaign of both campaigns' runs.
python3 - "$root/testdata/specs/virtual_lab.textproto" >"$work/twin_specs.textproto" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
print(text)
print(re.sub(r'label: "([^"]+)"', r'label: "\1_TWIN"', text))
PY

"$mptest" slurm-config --inventory="$inventory" --slurm_config_out="$work/conf" >/dev/null
"$cluster" up "$work/cluster" "$work/conf/slurm-mptest.conf" "$work/conf/gres.conf" >/dev/null

now() { date +%s.%N; }
run() {  # NAME EXECUTOR [flags]: runs a campaign, prints its makespan (wall, mptest's start to end)
  local name="$1" executor="$2"
  shift 2
  rm -rf "$work/$name"
  local start
  start="$(now)"
  "$cluster" client "$work/cluster" "$mptest" --executor="$executor" --inventory="$inventory" \
    --testresults="$work/$name" --build_cache="$work/cache" --jobs=0 \
    --slurm_worker="$mptest,worker,--worker_dir=$work/worker" "$@" >"$work/$name.out" 2>&1
  python3 -c "print(round($(now) - $start, 2))"
}
overhead() {  # NAME: per run, srun's time less its attempts' time on the host
  python3 - "$work/$1" <<'PY'
import json, re, statistics, sys
d = sys.argv[1]
srun = {m[1]: float(m[2]) for m in re.finditer(r"\] (\S+): srun ended after ([0-9.]+) s", open(d + "/mptest.log").read())}
spent = {}
for g in json.load(open(d + "/results.json"))["groups"]:
    spent[g["testid"]] = spent.get(g["testid"], 0) + g["end_s"] - g["start_s"]
o = [srun[t] - spent[t] for t in srun if t in spent]
print(f"{statistics.median(o):.2f} {max(o):.2f} {len(o)}")
PY
}

run warmup slurm >/dev/null  # firmware built and cached, boards flashed once
printf '%-6s %10s %10s %14s %14s %10s %10s %8s\n' round local_s slurm_s overhead_med_s overhead_max_s both_one_s two_at_once_s ratio
for round in $(seq "$rounds"); do
  local_s="$(run local local)"
  slurm_s="$(run slurm slurm)"
  read -r med max _ <<<"$(overhead slurm)"
  both_s="$(run both slurm --specs="$work/twin_specs.textproto")"
  start="$(now)"
  run left slurm >/dev/null &
  run right slurm >/dev/null &
  wait
  two_s="$(python3 -c "print(round($(now) - $start, 2))")"
  ratio="$(python3 -c "print(round($two_s / $both_s, 2))")"
  printf '%-6s %10.2f %10.2f %14s %14s %10.2f %10.2f %8s\n' "$round" "$local_s" "$slurm_s" "$med" "$max" "$both_s" "$two_s" "$ratio"
done
