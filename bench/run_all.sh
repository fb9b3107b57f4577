#!/bin/bash
# Runs every benchmark beside its baselines and prints the ratios.
#   bench/run_all.sh            (from the workspace root; builds with -c opt first)
# Baselines: a plain C fork/pipe/waitpid loop (bench/baselines/fork_loop.c, the floor) and
# Python multiprocessing (bench/baselines/mp_baseline.py: a Process per call with a Pipe,
# Pool.map, and multiprocessing.Queue for events); the scheduler against its lower bound; mptest's
# start-up to its first test; and, with MPTEST_MICROPYTHON_DIR set, the native harness against
# run-tests.py on the same board.
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

echo
echo "== pcall: peak memory of one 256 MiB result (aim: the parent <= 2x the result) =="
"$BAZEL" build -c opt //bench:result_memory_bench >&2
"$BIN/result_memory_bench" --benchmark_format=json 2>/dev/null | "$PYTHON" -c '
import json, sys
for c in json.load(sys.stdin)["benchmarks"]:
    print("%-44s parent %7.1f MiB (%.2fx the result), child %7.1f MiB"
          % (c["name"], c["parent_peak_MiB"], c["parent_peak_x"], c["child_peak_MiB"]))'

echo
echo "== scheduler: makespan against its lower bound (simulated clock, 10,000 runs) =="
"$BAZEL" build -c opt //bench:scheduler_bench //tools:mptest >&2
"$BIN/scheduler_bench" --benchmark_format=json 2>/dev/null | "$PYTHON" -c '
import json, sys
for run in json.load(sys.stdin)["benchmarks"]:
    c = run
    extra = ""
    if "over_board_bound_pct" in c:
        extra = ", %+.1f%% over the per-board bound" % c["over_board_bound_pct"]
    print("%-44s makespan %8.1f s  %+6.1f%% over max(work/tentacles, longest run)%s (aim <= 5%%)"
          % (c["name"], c["makespan_s"], c["over_bound_pct"], extra))'

echo
echo "== mptest: start-up to the first test dispatched (built-in virtual lab, warm firmware cache) =="
# Baseline: the same campaign's own first dispatch measured from the process start; the first
# run warms the firmware cache so that builds do not count.
MPTEST="$("$BAZEL" info -c opt bazel-bin 2>/dev/null)/tools/mptest"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$MPTEST" --testresults="$work/warm" >/dev/null 2>&1 || true
for i in 1 2 3; do
  launched=$("$PYTHON" -c 'import time; print(time.time())')
  "$MPTEST" --testresults="$work/run$i" >/dev/null 2>&1 || true
  "$PYTHON" - "$launched" "$work/run$i/results.json" <<'PY'
import json, sys
launched, path = float(sys.argv[1]), sys.argv[2]
groups = json.load(open(path)).get("groups", [])
starts = [g["start_s"] for g in groups if g.get("start_s", 0) > 0]
print("%-44s %10.2f ms" % ("launch -> first test run started", (min(starts) - launched) * 1000))
PY
done

echo
echo "== native harness against run-tests.py (one board, both through the execpty relay) =="
if [[ -n "${MPTEST_MICROPYTHON_DIR:-}" ]]; then
  "$BAZEL" test //plugins/harnesses:micropython_e2e_test --test_output=all \
    --test_env=MPTEST_MICROPYTHON_DIR="$MPTEST_MICROPYTHON_DIR" \
    --test_env=MPTEST_MICROPYTHON_BUILD_ARGS="${MPTEST_MICROPYTHON_BUILD_ARGS:-}" \
    --test_env=MPTEST_MICROPYTHON_PORT="${MPTEST_MICROPYTHON_PORT:-unix}" 2>&1 |
    grep -E '^(run_tests|native|verdicts compared)' || echo "(the comparison failed: see its test log)"
else
  echo "(not run: set MPTEST_MICROPYTHON_DIR to a micropython checkout; see plugins/harnesses/README.md)"
fi
