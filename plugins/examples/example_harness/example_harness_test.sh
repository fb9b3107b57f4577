#!/usr/bin/env bash
# The example harness in a campaign: loaded with --plugin_path, run on the built-in lab's
# VIRTUAL_STM tentacle over suite/unittest: test_arith passes, test_broken fails with its
# traceback, test_feature is skipped, helpers.py is not a test; exit 1 (a test failed). The
# harness kept the same verdicts in the attempt's _results.json.
set -u
here="plugins/examples/example_harness"
fail() { echo "FAIL: $*" >&2; exit 1; }
tools/mptest --plugin_path="$here/libexample_unittest.so" --specs="$here/specs.textproto" \
  --micropython_tests="$here/suite" --only-board=VIRTUAL_STM --testresults="$TEST_TMPDIR/r" \
  --lock_dir="$TEST_TMPDIR/locks" --build_cache="$TEST_TMPDIR/cache" >"$TEST_TMPDIR/out" 2>&1
rc=$?
[[ $rc -eq 1 ]] || fail "exit $rc, expected 1: $(tail -20 "$TEST_TMPDIR/out")"
/usr/bin/python3 - "$TEST_TMPDIR/r/results.json" <<'PY' || fail "verdicts: $(tail -20 "$TEST_TMPDIR/out")"
import glob, json, os, sys
outcomes = {o["name"]: o for g in json.load(open(sys.argv[1]))["groups"] for o in g["outcomes"]}
got = {name: o["outcome"] for name, o in outcomes.items()}
want = {"unittest/test_arith.py": "passed", "unittest/test_broken.py": "failed",
        "unittest/test_feature.py": "skipped"}
assert got == want, got
assert "AssertionError: 1 != 2" in outcomes["unittest/test_broken.py"]["text"], outcomes
kept = glob.glob(os.path.join(os.path.dirname(sys.argv[1]), "RUN-UNITTEST@*", "_results.json"))
assert len(kept) == 1, kept
assert {r[0]: r[1] for r in json.load(open(kept[0]))["results"]} == {
    "unittest/test_arith.py": "pass", "unittest/test_broken.py": "fail",
    "unittest/test_feature.py": "skip"}, kept
PY
echo PASS
