#!/usr/bin/env bash
# The default run end to end: mptest with no test arguments runs the built-in lab (virtual
# boards, virtual builder, native harness; two micro:bits on qemu with real firmware), at
# least 100 test executions, exit 0, a results directory with the reports; a second run moves the first aside, takes every firmware
# from the build cache, and no board process outlives a run.
set -u
mptest="tools/mptest"
fail() { echo "FAIL: $*" >&2; exit 1; }
results="$TEST_TMPDIR/results"
run() {
  "$mptest" --testresults="$results" --build_cache="$TEST_TMPDIR/cache" \
    --lock_dir="$TEST_TMPDIR/locks" >"$TEST_TMPDIR/out" 2>&1
}
run
rc=$?
[[ $rc -eq 0 ]] || fail "default run exited $rc: $(tail -30 "$TEST_TMPDIR/out")"
executions=$(sed -n 's/.*exit 0 (\([0-9]*\) test executions).*/\1/p' "$TEST_TMPDIR/out")
[[ -n "$executions" && "$executions" -ge 100 ]] || fail "want >= 100 executions: $(tail -5 "$TEST_TMPDIR/out")"
for f in context.json results.json junit.xml report.html report.md .mptest-results \
         "RUN-TESTS_BASICS@*-VIRTUAL_PICO,a/context_testgroup.json" \
         "RUN-TESTS_BASICS@*-VIRTUAL_PICO,a/_results.json" \
         "RUN-TESTS_EXTMOD_HARDWARE@*-VIRTUAL_PICO-THREAD,a/_results.json" \
         "RUN-MULTITESTS_MULTINET@2b01-VIRTUAL_ESP-instance0,a/context_testgroup.json"; do
  compgen -G "$results/$f" >/dev/null || fail "missing $f in $(ls "$results")"
done
grep -Eq '"extmod/thread_basic.py", ?"pass"' "$results"/RUN-TESTS_EXTMOD_HARDWARE@*-VIRTUAL_PICO-THREAD,a/_results.json \
  || fail "the THREAD variant did not pass thread_basic"
grep -Eq '"extmod/thread_basic.py", ?"skip"' "$results"/RUN-TESTS_EXTMOD_HARDWARE@*-VIRTUAL_PICO,a/_results.json \
  || fail "the default variant did not skip thread_basic"
# The two micro:bits run real MicroPython firmware (Debian's, under qemu): both kinds pass.
for kind in RUN-TESTS_SMALL RUN-TESTS_MICROBIT; do
  grep -Eq "passed $kind@5e0[12]-MICROBIT,a \([0-9]+ tests\)" "$TEST_TMPDIR/out" \
    || fail "$kind did not pass on a micro:bit: $(grep MICROBIT "$TEST_TMPDIR/out")"
done
# The campaign's log joins every job's log (seed 002's markers), one pair per job.
[[ $(grep -c ">>>> Begin child log $results/logs/" "$results/mptest.log") -ge 20 &&
   $(grep -c "<<<< End child log $results/logs/" "$results/mptest.log") -ge 20 ]] \
  || fail "mptest.log does not join the jobs' logs: $(head -5 "$results/mptest.log")"
# Every board was flashed once at least: the timeline draws flash bars (from the run records).
grep -q '<rect class="bar flash"' "$results/report.html" || fail "no flash bar in report.html's timeline"
sleep 0.2
pgrep -f "$TEST_TMPDIR" >/dev/null && fail "processes outlived the run: $(pgrep -af "$TEST_TMPDIR")"
run || fail "second run exited $?: $(tail -30 "$TEST_TMPDIR/out")"
grep -q "previous results were moved to $results\." "$TEST_TMPDIR/out" || fail "not moved aside: $(head -3 "$TEST_TMPDIR/out")"
builds=$(grep -c "firmware .*: from the build cache" "$TEST_TMPDIR/out")
[[ $builds -eq 5 ]] || fail "want 5 cached builds, got $builds: $(grep firmware "$TEST_TMPDIR/out")"
ls -d "$results".* >/dev/null || fail "the first results directory is gone"
echo PASS
