#!/usr/bin/env bash
# The mptest binary answers --version and --help, and refuses an unknown command with exit 2.
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
echo PASS
