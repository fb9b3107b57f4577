#!/usr/bin/env bash
# Real MicroPython end to end (issue 12): builds the unix port and MPS2_AN385 of a micropython
# checkout through mptest, runs run-tests.py by hand and mptest's run_tests, native and via-mpy
# forms, and prints the verdict disagreements (must be 0) and wall-time ratios. Manual: it needs
# a checkout. Usage: tests/micropython/compare.sh /path/to/micropython [--ports=unix,qemu]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [[ $# -lt 1 || ! -f "$1/tests/run-tests.py" ]]; then
  echo "compare.sh: NOT RUN: give a micropython checkout (with tests/run-tests.py) as the first argument" >&2
  exit 2
fi
cd "$root"
./bazelw build -c opt //tools:mptest
exec python3 tests/micropython/compare.py --mptest="$root/bazel-bin/tools/mptest" "$@"
