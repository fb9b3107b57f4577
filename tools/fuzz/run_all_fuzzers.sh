#!/bin/bash
# Runs every mptest fuzz target (each testdata/fuzz/NAME/ corpus with its mptest_fuzz_test) under
# libFuzzer for SECONDS each, one after the other, through run_fuzzer.sh (clang++, ASan, UBSan).
#   tools/fuzz/run_all_fuzzers.sh SECONDS [NAME...]
# Prints one line per target (ok, crash with the crash file, or build failure) and exits 1 if
# any target crashed or could not be built. Crash inputs found: add them to testdata/fuzz/NAME/
# (they then run as regression tests under `bazel test`) and fix the parser.
set -uo pipefail

if [[ $# -lt 1 || ! "$1" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 SECONDS [NAME...]" >&2
  exit 2
fi
seconds="$1"
shift
cd "$(dirname "$0")/../.."
if [[ $# -gt 0 ]]; then
  names=("$@")
else
  names=()
  for dir in testdata/fuzz/*/; do
    [[ -f "${dir}BUILD.bazel" ]] && names+=("$(basename "${dir}")")
  done
fi

status=0
summary=()
for name in "${names[@]}"; do
  log="$(mktemp "/tmp/mptest-fuzz-${name}.log.XXXXXX")"
  echo "=== ${name}: ${seconds}s (log ${log})"
  tools/fuzz/run_fuzzer.sh "${name}" "${seconds}" >"${log}" 2>&1
  rc=$?
  runs="$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "${log}" | grep -oE '[0-9]+$' || true)"
  crash="$(grep -oE '(crash|leak|timeout|oom)-[0-9a-f]+' "${log}" | head -1 || true)"
  workdir="$(grep -oE '/tmp/mptest-fuzz-[^ /]+' "${log}" | head -1 || true)"
  if [[ ${rc} -eq 0 ]]; then
    summary+=("ok     ${name}: ${runs:-?} runs in ${seconds}s")
  elif [[ -n "${crash}" ]]; then
    summary+=("CRASH  ${name}: ${workdir}/${crash} (see ${log})")
    status=1
  else
    summary+=("FAILED ${name}: run_fuzzer.sh exit ${rc} (see ${log})")
    status=1
  fi
  tail -3 "${log}"
done
echo
echo "fuzzing summary (${seconds}s each):"
printf '  %s\n' "${summary[@]}"
exit ${status}
