#!/bin/bash
# Runs every benchmark beside its baselines and prints the ratios.
#   bench/run_all.sh            (from the workspace root; builds with -c opt first)
# Baselines: a plain C fork/pipe/waitpid loop (bench/baselines/fork_loop.c, the floor) and
# Python multiprocessing (bench/baselines/mp_baseline.py: a Process per call with a Pipe,
# Pool.map, and multiprocessing.Queue for events). Other benchmarks append a section below.
set -euo pipefail
cd "$(dirname "$0")/.."

BAZEL="${BAZEL:-bazel}"
"$BAZEL" build -c opt //bench:process_bench //bench:process_bench_static //bench:bus_bench \
  //bench:fork_loop_baseline >&2
BIN="$("$BAZEL" info -c opt bazel-bin 2>/dev/null)/bench"
PYTHON="${PYTHON:-/usr/bin/python3}"

# Mean real time per iteration, in seconds, of one Google Benchmark.
bench_seconds() {  # binary filter
  "$BIN/$1" --benchmark_filter="$2" --benchmark_format=json --benchmark_min_time="${MIN_TIME:-1}" \
    2>/dev/null | "$PYTHON" -c '
import json, sys
runs = json.load(sys.stdin)["benchmarks"]
unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
print("%.6f" % (runs[0]["real_time"] * unit[runs[0]["time_unit"]]))'
}

ratio() { "$PYTHON" -c "print('%.1f' % ($1 / $2))"; }
row() { printf '%-44s %10.2f ms   %s\n' "$1" "$("$PYTHON" -c "print($2 * 1000)")" "$3"; }

echo "== pcall: 100 trivial targets (one child per call) =="
c_loop=$("$BIN/fork_loop_baseline" calls 100 20)
plain=$(bench_seconds process_bench 'BM_PlainForkLoop100')
fork=$(bench_seconds process_bench 'BM_Pcall100Fork')
plain_static=$(bench_seconds process_bench_static 'BM_PlainForkLoop100')
fork_static=$(bench_seconds process_bench_static 'BM_Pcall100Fork')
spawn=$(bench_seconds process_bench 'BM_Pcall100Spawn')
inline=$(bench_seconds process_bench 'BM_Pcall100Inline')
py=$("$PYTHON" bench/baselines/mp_baseline.py process_per_call pool_map)
py_process=$(echo "$py" | awk '/process_per_call/ {print $2}')
py_pool=$(echo "$py" | awk '/pool_map/ {print $2}')
row "plain C fork/pipe/waitpid loop (floor)" "$c_loop" ""
row "same loop inside the benchmark binary" "$plain" ""
row "pcall fork" "$fork" "$(ratio "$fork" "$c_loop")x the C loop, $(ratio "$fork" "$plain")x the in-binary loop (aim <= 1.5x)"
row "same loop, system libraries static" "$plain_static" ""
row "pcall fork, system libraries static" "$fork_static" "$(ratio "$fork_static" "$c_loop")x the C loop, $(ratio "$fork_static" "$plain_static")x its in-binary loop (aim <= 1.5x)"
row "pcall spawn" "$spawn" "$(ratio "$spawn" "$c_loop")x the C loop"
row "pcall inline" "$inline" ""
row "Python Process per call + Pipe" "$py_process" "pcall fork is $(ratio "$py_process" "$fork")x faster, static $(ratio "$py_process" "$fork_static")x (aim >= 20x)"
row "Python Pool.map" "$py_pool" "pcall fork is $(ratio "$py_pool" "$fork")x faster"

echo
echo "== events: 4 children x 250,000 small events =="
c_events=$("$BIN/fork_loop_baseline" events 4 250000 3)
bus=$(bench_seconds bus_bench 'BM_EventThroughput')
py_queue=$("$PYTHON" bench/baselines/mp_baseline.py queue_events | awk '{print $2}')
rate() { "$PYTHON" -c "print('%.2fM events/s' % (1e6 / $1 / 1e6))"; }
row "plain C loop, 8-byte records (floor)" "$c_events" "$(rate "$c_events")"
row "EventBus (SendEvent -> subscriber)" "$bus" "$(rate "$bus") (aim >= 1M/s), $(ratio "$bus" "$c_events")x the C loop"
row "Python multiprocessing.Queue" "$py_queue" "$(rate "$py_queue"); EventBus is $(ratio "$py_queue" "$bus")x faster (aim >= 20x)"
