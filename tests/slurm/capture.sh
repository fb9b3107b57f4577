#!/usr/bin/env bash
# Captures real Slurm client output (srun, sinfo, squeue, scancel) from a cluster.sh cluster into
# OUTDIR (default: tests/slurm/testdata), for the fake srun/sinfo/scancel programs, and prints
# measurements (cluster up time, srun latency, node-failure timing). Needs root.
# Usage: tests/slurm/capture.sh [OUTDIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$(realpath -m "${1:-$here/testdata}")"
C="$here/cluster.sh"
mkdir -p "$out"
work="$(mktemp -d /tmp/mpt-capture.XXXXXX)"
dir="$work/cluster"
trap '"$C" down "$dir" || true' EXIT
# Give the whole capture 7 minutes.
( sleep 420; echo "capture.sh: timed out" >&2; kill -TERM $$ ) &
watchdog=$!
trap '"$C" down "$dir" || true; kill $watchdog 2>/dev/null || true' EXIT

cl() { "$C" client "$dir" "$@"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.2f", b - a}'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN {exit !(a < b)}'; }
# stamp T0: copies stdin to stdout, each line prefixed with seconds since T0
stamp() { local l; while IFS= read -r l; do printf '%6.2f %s\n' "$(awk -v a="$1" -v b="$(now)" 'BEGIN {print b - a}')" "$l"; done; }
jobid_of() {  # job name -> id of its running/pending job
  cl squeue -h -n "$1" -o %i | head -n 1
}
wait_running() {  # job name: wait (20 s at most) until a job of that name is RUNNING
  local _
  for _ in $(seq 200); do
    [[ "$(cl squeue -h -n "$1" -o %T | head -n 1)" == RUNNING ]] && return 0
    sleep 0.1
  done
  echo "capture.sh: job $1 never ran" >&2; return 1
}
wait_line() {  # FILE TEXT: wait (20 s at most) until FILE holds TEXT
  local _
  for _ in $(seq 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "capture.sh: no '$2' in $1" >&2; return 1
}

cat >"$work/nodes.conf" <<'EOF'
GresTypes=virtual_pico
NodeName=h1 CPUs=4 Gres=virtual_pico:1a01:1,virtual_pico:1a02:1
NodeName=h2 CPUs=4 Gres=virtual_pico:2a01:1
NodeName=h3 CPUs=4 Gres=virtual_pico:3a01:1
PartitionName=boards Nodes=h1,h2,h3 Default=YES MaxTime=INFINITE State=UP
EOF
cat >"$work/gres.conf" <<EOF
NodeName=h1 Name=virtual_pico Type=1a01 File=$dir/dev/1a01
NodeName=h1 Name=virtual_pico Type=1a02 File=$dir/dev/1a02
NodeName=h2 Name=virtual_pico Type=2a01 File=$dir/dev/2a01
NodeName=h3 Name=virtual_pico Type=3a01 File=$dir/dev/3a01
EOF
cp "$work/nodes.conf" "$out/nodes.conf"
sed "s|$dir|DIR|g" "$work/gres.conf" >"$out/gres.conf"

t=$(now)
"$C" up "$dir" "$work/nodes.conf" "$work/gres.conf"
up_s=$(since "$t")
echo "up: $up_s s"

# (f) version
set +e
cl srun --version >"$out/f_srun_version.stdout" 2>"$out/f_srun_version.stderr"
echo $? >"$out/f_srun_version.exit"

# (a) attached srun with stdin. First with --no-requeue as the brief wrote it (srun 22.05 has
# no such option), then without.
printf 'line one\nline two\n' | cl srun -w h1 --gres=virtual_pico:1a01:1 --no-requeue -J x \
  bash -c 'cat; echo done' >"$out/a0_no_requeue.stdout" 2>"$out/a0_no_requeue.stderr"
echo $? >"$out/a0_no_requeue.exit"
printf 'line one\nline two\n' | cl srun -w h1 --gres=virtual_pico:1a01:1 -J x \
  bash -c 'cat; echo done' >"$out/a_attached.stdout" 2>"$out/a_attached.stderr"
echo $? >"$out/a_attached.exit"
# the task's exit status passes through; and its stderr
cl srun -w h1 --gres=virtual_pico:1a01:1 -J x bash -c 'echo to-stderr >&2; exit 3' \
  >"$out/a2_exit3.stdout" 2>"$out/a2_exit3.stderr" </dev/null
echo $? >"$out/a2_exit3.exit"
# a GRES no host has: refused at submit
cl srun -w h1 --gres=virtual_pico:9999:1 -J x true \
  >"$out/a3_no_such_gres.stdout" 2>"$out/a3_no_such_gres.stderr" </dev/null
echo $? >"$out/a3_no_such_gres.exit"
set -e

# (b)+(e) a holder takes 1a01 for 6 s; a second srun for 1a01 queues, then runs.
cl srun -w h1 --gres=virtual_pico:1a01:1 -J holder sleep 6 </dev/null >/dev/null 2>"$work/holder.err" &
holder=$!
wait_running holder
# (e) while one GRES unit is in use
cl sinfo --json >"$out/e_sinfo.json"
cl squeue --json >"$out/e_squeue.json"
cl sinfo -h -N -o '%N %T %G' >"$out/e_sinfo_short.txt"
cl sinfo -h -N -O 'NodeHost:10,StateLong:12,Gres:60,GresUsed:80' >"$out/e_sinfo_O.txt"
cl squeue -h -o '%i %j %T %N %b' >"$out/e_squeue_short.txt"
cl scontrol show job -d "$(jobid_of holder)" >"$out/e_scontrol_show_job_d.txt"
t=$(now)
set +e
# shellcheck disable=SC2016  # $(hostname) is for the task's shell
cl srun -w h1 --gres=virtual_pico:1a01:1 -J x bash -c 'echo ran on $(hostname)' </dev/null \
  >"$out/b_queued.stdout" 2> >(stamp "$t" >"$out/b_queued.stderr.timed")
echo $? >"$out/b_queued.exit"
set -e
wait $holder || true
sleep 0.2

# (c) the host dies mid-job: srun on h2 prints 'started', then kill-host h2.
t0=$(now)
(rc=0; cl srun -w h2 --gres=virtual_pico:2a01:1 -J x bash -c 'echo started; sleep 300' </dev/null \
  >"$out/c_node_failure.stdout" 2> >(stamp "$t0" >"$out/c_node_failure.stderr.timed") || rc=$?
 echo $rc >"$out/c_node_failure.exit") &
c_srun=$!
wait_line "$out/c_node_failure.stdout" started
t=$(now)
"$C" kill-host "$dir" h2
{
  echo "# seconds since kill-host h2 | sinfo -h -n h2 -N -o '%N %T' | sinfo -h -n h2 -N -O StateComplete | squeue -h -w h2 -o '%i %T %r'"
  while kill -0 $c_srun 2>/dev/null || lt "$(since "$t")" 1; do
    printf '%6.2f | %s | %s | %s\n' "$(since "$t")" "$(cl sinfo -h -n h2 -N -o '%N %T' 2>&1)" \
      "$(cl sinfo -h -n h2 -N -O StateComplete 2>&1 | tr -d ' ')" \
      "$(cl squeue -h -w h2 -o '%i %T %r' 2>&1 | tr '\n' ' ')"
    sleep 1
    lt "$(since "$t")" 120 || break
  done
  echo "srun ended $(since "$t") s after kill-host"
  # then until h2 is DOWN (90 s at most)
  while lt "$(since "$t")" 150; do
    s="$(cl sinfo -h -n h2 -N -o '%N %T %E' 2>&1)"
    printf '%6.2f | %s | %s | %s\n' "$(since "$t")" "$s" \
      "$(cl sinfo -h -n h2 -N -O StateComplete 2>&1 | tr -d ' ')" \
      "$(cl squeue -h -t all -w h2 -o '%i %T %r' 2>&1 | tr '\n' ' ')"
    [[ "$s" != *down* ]] || break
    sleep 1
  done
} >"$out/c_node_failure.timeline"
wait $c_srun || true
cl scontrol show job -d "$(cl squeue -h -t all -o '%i' -n x | tail -n 1)" \
  >"$out/c_scontrol_show_job_after.txt" 2>&1 || true
cl sacct >/dev/null 2>&1 || true
# a job pinned to the dead host: what srun says (bounded by timeout 15)
t=$(now)
set +e
cl timeout 15 srun -w h2 --gres=virtual_pico:2a01:1 -J x true </dev/null \
  >"$out/c2_dead_host_submit.stdout" 2> >(stamp "$t" >"$out/c2_dead_host_submit.stderr.timed")
echo $? >"$out/c2_dead_host_submit.exit"
set -e
sleep 0.2

# (d) scancel of a running srun job (h3), then of a queued one (h1 1a01, held by a holder)
t=$(now)
(rc=0; cl srun -w h3 --gres=virtual_pico:3a01:1 -J victim bash -c 'echo started; sleep 300' </dev/null \
  >"$out/d_scancel_running.stdout" 2> >(stamp "$t" >"$out/d_scancel_running.stderr.timed") || rc=$?
 echo $rc >"$out/d_scancel_running.exit") &
d_srun=$!
wait_line "$out/d_scancel_running.stdout" started
echo "scancel at $(since "$t") s" >"$out/d_scancel_running.timeline"
cl scancel "$(jobid_of victim)" >"$out/d_scancel.stdout" 2>"$out/d_scancel.stderr"
echo $? >"$out/d_scancel.exit"
wait $d_srun || true
echo "srun ended at $(since "$t") s" >>"$out/d_scancel_running.timeline"

cl srun -w h1 --gres=virtual_pico:1a01:1 -J holder sleep 8 </dev/null >/dev/null 2>&1 &
holder=$!
wait_running holder
t=$(now)
(rc=0; cl srun -w h1 --gres=virtual_pico:1a01:1 -J victim bash -c 'echo ran' </dev/null \
  >"$out/d_scancel_pending.stdout" 2> >(stamp "$t" >"$out/d_scancel_pending.stderr.timed") || rc=$?
 echo $rc >"$out/d_scancel_pending.exit") &
d_srun=$!
sleep 1.5
cl scancel "$(jobid_of victim)"
wait $d_srun || true
wait $holder || true
sleep 0.2

# latency: srun -w h1 --gres=...:1 true, 10 runs
lat=()
for _ in $(seq 10); do
  t=$(now)
  cl srun -w h1 --gres=virtual_pico:1a01:1 true </dev/null
  lat+=("$(since "$t")")
done
median=$(printf '%s\n' "${lat[@]}" | sort -n | awk '{a[NR]=$1} END {print (a[5]+a[6])/2}')

# X.stderr = X.stderr.timed without the time column (now: the stamp processes have ended)
sleep 0.5
for f in "$out"/*.stderr.timed; do cut -c8- "$f" >"${f%.timed}"; done
cp "$dir/log/slurmctld.log" "$out/slurmctld.log"
cl sinfo >"$out/c_sinfo_after.txt" 2>&1 || true
t=$(now)
"$C" down "$dir"
down_s=$(since "$t")
trap 'kill $watchdog 2>/dev/null || true' EXIT
{
  echo "cluster up (cluster.sh up, wall): $up_s s"
  echo "srun -w h1 --gres=virtual_pico:1a01:1 true, 10 runs (s): ${lat[*]}"
  echo "median: $median s"
  echo "cluster down (cluster.sh down, wall): $down_s s"
} | tee "$out/measurements.txt"
rm -rf "$work"
