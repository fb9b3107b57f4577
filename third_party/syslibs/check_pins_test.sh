#!/usr/bin/env bash
# The pin check accepts this machine's libraries and refuses a deliberately wrong pin with a
# message that names the package and the command that installs it.
set -u
checker="third_party/syslibs/check_pins.sh"
pins="third_party/system_libs.pins"
fail() { echo "FAIL: $*" >&2; exit 1; }

bash "$checker" "$pins" 2>"$TEST_TMPDIR/ok.err" || fail "real pins rejected: $(cat "$TEST_TMPDIR/ok.err")"

# A wrong version for protobuf.
sed -E 's/^(protobuf +protobuf +)3\.21\.12/\19.99.1/' "$pins" >"$TEST_TMPDIR/wrong.pins"
grep -q '9.99.1' "$TEST_TMPDIR/wrong.pins" || fail "test could not write the wrong pin"
bash "$checker" "$TEST_TMPDIR/wrong.pins" 2>"$TEST_TMPDIR/wrong.err"
rc=$?
[[ $rc -eq 3 ]] || fail "wrong pin: exit $rc, want 3"
grep -q "'protobuf' is version 3.21.12, but .*wrong.pins:[0-9]* pins 9.99.1 (Debian package libprotobuf-dev)" \
  "$TEST_TMPDIR/wrong.err" || fail "wrong pin message: $(cat "$TEST_TMPDIR/wrong.err")"

# A module that does not exist: named with its package and the apt-get command.
printf 'nosuch  mptest_no_such_module  1.0  libmptest-nosuch-dev\n' >"$TEST_TMPDIR/missing.pins"
bash "$checker" "$TEST_TMPDIR/missing.pins" 2>"$TEST_TMPDIR/missing.err"
rc=$?
[[ $rc -eq 3 ]] || fail "missing module: exit $rc, want 3"
grep -q "pkg-config module 'mptest_no_such_module' was not found (Debian package libmptest-nosuch-dev)" \
  "$TEST_TMPDIR/missing.err" || fail "missing message: $(cat "$TEST_TMPDIR/missing.err")"
grep -q "sudo apt-get install -y libmptest-nosuch-dev" "$TEST_TMPDIR/missing.err" \
  || fail "no install command: $(cat "$TEST_TMPDIR/missing.err")"

# A malformed line names the file and line.
printf '# comment\nonly_two fields\n' >"$TEST_TMPDIR/bad.pins"
bash "$checker" "$TEST_TMPDIR/bad.pins" 2>"$TEST_TMPDIR/bad.err"
rc=$?
[[ $rc -eq 2 ]] || fail "malformed: exit $rc, want 2"
grep -q "bad.pins:2: expected 'target modules version package'" "$TEST_TMPDIR/bad.err" \
  || fail "malformed message: $(cat "$TEST_TMPDIR/bad.err")"
echo "PASS"
