#!/usr/bin/env bash
# The mptest binary answers --version and --help, refuses an unknown command, bad flags and bad
# configuration files with exit 2 and a message naming the flag or the file and line, lists the
# built-in lab (list-tests with test's own selection), and runs --flash_skip as variant "unknown".
set -u
mptest="tools/mptest"
fail() { echo "FAIL: $*" >&2; exit 1; }
out="$("$mptest" --version)" || fail "--version exited $?"
[[ "$out" =~ ^mptest\ [0-9]+\.[0-9]+\.[0-9]+ ]] || fail "--version printed '$out'"
"$mptest" --help >"$TEST_TMPDIR/help" 2>&1
grep -q "usage: mptest" "$TEST_TMPDIR/help" || fail "--help: $(cat "$TEST_TMPDIR/help")"
"$mptest" no-such-command 2>"$TEST_TMPDIR/err"
rc=$?
[[ $rc -eq 2 ]] || fail "unknown command exited $rc, want 2"
grep -q "unknown command 'no-such-command'" "$TEST_TMPDIR/err" || fail "$(cat "$TEST_TMPDIR/err")"
expect_usage() {  # expect_usage "<message part>" args...
  local want="$1"; shift
  "$mptest" "$@" >/dev/null 2>"$TEST_TMPDIR/err"
  local rc=$?
  [[ $rc -eq 2 ]] || fail "$* exited $rc, want 2: $(cat "$TEST_TMPDIR/err")"
  grep -qF -- "$want" "$TEST_TMPDIR/err" || fail "$*: want '$want' in: $(cat "$TEST_TMPDIR/err")"
}
expect_usage "--only-board: unknown board 'NOPE'" --only-board=NOPE --testresults="$TEST_TMPDIR/r"
expect_usage "--split: 'RUN-NOPE=2': expected LABEL=K with a test kind" --split=RUN-NOPE=2
expect_usage "--split: 'RUN-TESTS_SMALL=x': expected LABEL=K" --split=RUN-TESTS_SMALL=x
expect_usage "--split: 'RUN-TESTS_SMALL=99': must be 0 to 64, got 99" --split=RUN-TESTS_SMALL=99
expect_usage "runs on two tentacles together (DUT + reference) and cannot be split" --split=RUN-MULTITESTS_MULTINET=2
expect_usage "--skip-board: cannot be combined with --only-board" --only-board=VIRTUAL_ESP --skip-board=VIRTUAL_STM
expect_usage "--flash_skip: cannot be combined with --flash_force" --flash_force --flash_skip
expect_usage "--only-test: unknown test 'RUN-NOPE'" --only-test=RUN-NOPE --testresults="$TEST_TMPDIR/r"
expect_usage "--count: must be >= 1" --count=0
expect_usage "--only-board: board VIRTUAL_ESP has no variant 'X'" --only-board=VIRTUAL_ESP-X --testresults="$TEST_TMPDIR/r"
printf 'name: "bad"\ntentacles {\n  label: "a" typo: 1\n}\n' >"$TEST_TMPDIR/bad.textproto"
expect_usage "bad.textproto:3:" --inventory="$TEST_TMPDIR/bad.textproto"
printf 'name: "bad"\ntentacles { label: "a-X" type: "virtual" board: "NO_SUCH" }\n' >"$TEST_TMPDIR/unknown.textproto"
expect_usage "tentacle 'a-X': field board: unknown board 'NO_SUCH'" --inventory="$TEST_TMPDIR/unknown.textproto"
# A hostile spec label would name directories outside the results directory: refused up front.
printf 'spec { label: "../../escaped" fut: "MCU_ONLY" harness: "native" timeout_s: 5 }\n' >"$TEST_TMPDIR/hostile_specs.textproto"
expect_usage "hostile_specs.textproto: spec[0]: field label: '../../escaped' is not a usable name" \
  --specs="$TEST_TMPDIR/hostile_specs.textproto" --testresults="$TEST_TMPDIR/hostile/results" --lock_dir="$TEST_TMPDIR/locks"
[[ ! -e "$TEST_TMPDIR/hostile" && ! -e "$TEST_TMPDIR/escaped@" ]] || fail "a hostile spec label created files: $(ls -R "$TEST_TMPDIR/hostile" 2>&1)"
mkdir -p "$TEST_TMPDIR/foreign" && echo precious >"$TEST_TMPDIR/foreign/notes.txt"
expect_usage "not an mptest results directory" --testresults="$TEST_TMPDIR/foreign" --only-test=RUN-FLASH_FORMAT --lock_dir="$TEST_TMPDIR/locks"
[[ -f "$TEST_TMPDIR/foreign/notes.txt" ]] || fail "a foreign results directory was touched"
expect_usage "--micropython_tests: invalid git spec 'x~abc'" --micropython_tests='x~abc'
expect_usage "--firmware_build: invalid git spec 'x~abc'" --firmware_build='x~abc'
"$mptest" list-tests >"$TEST_TMPDIR/tests" || fail "list-tests exited $?"
grep -q "RUN-MULTITESTS_MULTINET .*tentacles=2" "$TEST_TMPDIR/tests" || fail "list-tests: $(cat "$TEST_TMPDIR/tests")"
"$mptest" list-tentacles >"$TEST_TMPDIR/tentacles" || fail "list-tentacles exited $?"
grep -Eq "^1a01-VIRTUAL_PICO +virtual +VIRTUAL_PICO +\(default\),THREAD" "$TEST_TMPDIR/tentacles" \
  || fail "list-tentacles: $(cat "$TEST_TMPDIR/tentacles")"
# `plugins`: a plugin asked for by name that exists answers 0; one that does not, 2, with its name.
"$mptest" plugins native >"$TEST_TMPDIR/plugins" 2>&1 || fail "plugins native exited $?: $(cat "$TEST_TMPDIR/plugins")"
grep -q "native" "$TEST_TMPDIR/plugins" || fail "plugins native: $(cat "$TEST_TMPDIR/plugins")"
"$mptest" plugins no_such_plugin >"$TEST_TMPDIR/plugins_missing" 2>&1
rc=$?
[[ $rc -eq 2 ]] || fail "plugins no_such_plugin exited $rc, want 2"
grep -q "no_such_plugin" "$TEST_TMPDIR/plugins_missing" || fail "plugins no_such_plugin: $(cat "$TEST_TMPDIR/plugins_missing")"
expect_usage "unexpected argument 'extra'" list-tests extra
# list-tests takes the test command's selection: the same filters, the same usage errors, the
# same number of runs.
"$mptest" list-tests --only-test=RUN-TESTS_BASICS --only-board=VIRTUAL_ESP >"$TEST_TMPDIR/one" \
  || fail "list-tests with filters exited $?"
[[ $(grep -c "fut=" "$TEST_TMPDIR/one") -eq 1 ]] && grep -q "^RUN-TESTS_BASICS " "$TEST_TMPDIR/one" \
  && grep -q "^    runs on: VIRTUAL_ESP$" "$TEST_TMPDIR/one" || fail "list-tests filtered: $(cat "$TEST_TMPDIR/one")"
"$mptest" list-tests --skip-fut=WLAN >"$TEST_TMPDIR/nowlan" || fail "list-tests --skip-fut exited $?"
grep -q MULTINET "$TEST_TMPDIR/nowlan" && fail "--skip-fut=WLAN still lists: $(cat "$TEST_TMPDIR/nowlan")"
expect_usage "--only-test: unknown test 'RUN-NOPE'" list-tests --only-test=RUN-NOPE
expect_usage "--only-board: unknown board 'NOPE'" list-tests --only-board=NOPE
expect_usage "--skip-fut: cannot be combined with --only-fut" list-tests --only-fut=WLAN --skip-fut=MCU_ONLY
filters=(--only-board=VIRTUAL_PICO --skip-test=RUN-FLASH_FORMAT)
listed=$("$mptest" list-tests "${filters[@]}" | sed -n 's/^\([0-9]*\) test runs of .*/\1/p')
"$mptest" "${filters[@]}" --testresults="$TEST_TMPDIR/same" --lock_dir="$TEST_TMPDIR/locks" >"$TEST_TMPDIR/same.out" 2>&1 \
  || fail "test ${filters[*]} exited $?: $(tail "$TEST_TMPDIR/same.out")"
ran=$(sed -n 's/.* \([0-9]*\) test runs on .*/\1/p' "$TEST_TMPDIR/same.out")
[[ -n "$listed" && "$listed" == "$ran" ]] || fail "list-tests says '$listed' runs, test ran '$ran'"
# --flash_skip: the two-variant VIRTUAL_PICO is tested once, as variant "unknown"; naming one of
# its variants is refused, as is the flash command.
"$mptest" list-tests --flash_skip --only-test=RUN-TESTS_BASICS >"$TEST_TMPDIR/skip" || fail "list-tests --flash_skip exited $?"
grep -q "^    runs on: VIRTUAL_ESP VIRTUAL_PICO-unknown VIRTUAL_REF VIRTUAL_STM$" "$TEST_TMPDIR/skip" \
  || fail "list-tests --flash_skip: $(cat "$TEST_TMPDIR/skip")"
expect_usage "--only-board: 'VIRTUAL_PICO-THREAD' names a variant, but with --flash_skip" --flash_skip --only-board=VIRTUAL_PICO-THREAD
expect_usage "--flash_skip: cannot be combined with the flash command" flash --flash_skip
"$mptest" --flash_skip --only-board=VIRTUAL_PICO --only-test=RUN-TESTS_BASICS --testresults="$TEST_TMPDIR/fs" \
  --lock_dir="$TEST_TMPDIR/locks" >"$TEST_TMPDIR/fs.out" 2>&1 || fail "--flash_skip run exited $?: $(tail "$TEST_TMPDIR/fs.out")"
group=$(compgen -G "$TEST_TMPDIR/fs/RUN-TESTS_BASICS@*-VIRTUAL_PICO-unknown,a/context_testgroup.json") \
  || fail "no VIRTUAL_PICO-unknown attempt: $(ls "$TEST_TMPDIR/fs")"
grep -Eq '"variant": ?"unknown"' "$group" || fail "variant in $group: $(cat "$group")"
grep -q "VIRTUAL_PICO-unknown" "$TEST_TMPDIR/fs/junit.xml" || fail "junit.xml lacks the unknown variant"
grep -q 'class="bar flash"' "$TEST_TMPDIR/fs/report.html" && fail "--flash_skip drew a flash bar"
echo PASS
