#!/usr/bin/env bash
# `mptest plugin-call`: every method answers on a plugin that works (faulty_board without tags,
# good_builder, good_harness, the built-in virtual board for Version), and a plugin that
# crashes, hangs, throws or exits in a call costs that call only: exit 3 within the call's
# deadline, the message naming the plugin and the method, nothing left running. Usage errors
# (unknown method or plugin, a bad request file) are exit 2 before anything runs.
set -u
mptest="tools/mptest"
plugins="testdata/plugins"
work="$TEST_TMPDIR"
fail() { echo "FAIL: $*" >&2; exit 1; }
call() {  # call EXPECTED_EXIT NAME METHOD [REQUEST] [FLAGS...]: stdout in $work/out, stderr in $work/err
  local expected=$1; shift
  "$mptest" plugin-call --plugin_path="$plugins" --lock_dir="$work/locks" "$@" \
    >"$work/out" 2>"$work/err"
  local rc=$?
  [[ $rc -eq $expected ]] || fail "plugin-call $*: exit $rc, expected $expected: $(cat "$work/err" "$work/out")"
}
tentacle() {  # tentacle TAG VALUE: a faulty_board tentacle misbehaving in method TAG
  printf 'entry { label: "f1-FAULTY" type: "faulty_board" board: "FAULTY" tags { key: "%s" value: "%s" } }\n' "$1" "$2"
}

# Every method of a working plugin.
printf 'inventory { tentacles { label: "f1-FAULTY" type: "faulty_board" board: "FAULTY" } }\n' >"$work/discover.textproto"
call 0 faulty_board Discover "$work/discover.textproto"
grep -q 'label: "f1-FAULTY"' "$work/out" || fail "Discover: $(cat "$work/out")"
tentacle none none >"$work/t.textproto"
call 0 faulty_board Start "$work/t.textproto"
grep -q 'value: "faulty_board"' "$work/out" || fail "Start: $(cat "$work/out")"
for method in Stop PowerCycle; do
  call 0 faulty_board $method "$work/t.textproto"
  grep -qx "# $method: OK" "$work/out" || fail "$method: $(cat "$work/out")"
done
printf 'tentacle { entry { label: "f1-FAULTY" } } firmware { path: "/x.bin" }\n' >"$work/flash.textproto"
call 0 faulty_board Flash "$work/flash.textproto"
printf 'board { name: "B" } output_dir: "%s/build"\n' "$work" >"$work/build.textproto"
call 0 good_builder Build "$work/build.textproto"
grep -q "path: \"$work/build/firmware-B.bin\"" "$work/out" || fail "Build: $(cat "$work/out")"
printf 'spec { label: "K" } tentacles { entry { label: "t1" } } result_dir: "%s"\n' "$work" >"$work/run.textproto"
call 0 good_harness Run "$work/run.textproto"
grep -q 'name: "K/t1"' "$work/out" || fail "Run: $(cat "$work/out")"
# A sequence in one call: the built-in virtual board started, asked its version, stopped.
printf 'entry { label: "v1-VIRTUAL_STM" type: "virtual" board: "VIRTUAL_STM" }
board { name: "VIRTUAL_STM" port: "virtual" variants: "" firmware_kind: "vimg" }
console: "%s/state/v1-VIRTUAL_STM/tty"
runtime { key: "flash" value: "%s/state/v1-VIRTUAL_STM/flash.vimg" }
runtime { key: "log" value: "%s/state/v1-VIRTUAL_STM/board.log" }
runtime { key: "state_dir" value: "%s/state/v1-VIRTUAL_STM" }\n' "$work" "$work" "$work" "$work" >"$work/virtual.textproto"
mkdir -p "$work/state/v1-VIRTUAL_STM"
call 0 virtual Start,Version,Stop "$work/virtual.textproto"
grep -q '^"[^"]*MicroPython v[^"]*"$' "$work/out" || fail "Version: $(cat "$work/out")"
grep -qx "# Stop: OK" "$work/out" || fail "Start,Version,Stop: $(cat "$work/out")"

# A driver with its own version probe (good_board) answers Version itself, no console needed;
# one without (faulty_board) leaves it to the raw-REPL probe, which needs the console.
printf 'entry { label: "g1-GOOD" type: "good_board" board: "GOOD" }\n' >"$work/good.textproto"
call 0 good_board Version "$work/good.textproto"
grep -qx '"good;3.4.0; MicroPython v1.29.0 on 2026-12-02;good g1-GOOD"' "$work/out" \
  || fail "Version through the driver's probe: $(cat "$work/out")"
tentacle none none >"$work/t.textproto"
call 3 faulty_board Version "$work/t.textproto"
grep -q "no console" "$work/err" || fail "Version without a probe: $(cat "$work/err")"

# A plugin that misbehaves costs the call, named, in bounded time.
for fault in crash throw exit error; do
  tentacle Start $fault >"$work/t.textproto"
  call 3 faulty_board Start "$work/t.textproto"
  grep -q "plugin 'faulty_board'.* Start" "$work/err" || fail "Start $fault: not named: $(cat "$work/err")"
done
grep -q "failed as asked" "$work/err" || fail "error: the plugin's message is lost: $(cat "$work/err")"
tentacle Start crash >"$work/t.textproto"
call 3 faulty_board Start "$work/t.textproto"
grep -q "SIGSEGV" "$work/err" || fail "crash: $(cat "$work/err")"
tentacle Stop throw >"$work/t.textproto"
call 3 faulty_board Stop "$work/t.textproto"
grep -q "Stop threw as asked" "$work/err" || fail "throw: $(cat "$work/err")"
tentacle Start hang >"$work/t.textproto"
started=$SECONDS
call 3 faulty_board Start "$work/t.textproto" --call_timeout_s=1
(( SECONDS - started < 15 )) || fail "a hung Start held plugin-call for $((SECONDS - started)) s (deadline 1 s)"
grep -q "plugin 'faulty_board' Start.*timed out" "$work/err" || fail "hang: $(cat "$work/err")"
pgrep -f "plugin-call --plugin_path=$plugins --lock_dir=$work/locks" >/dev/null && fail "a plugin-call child outlived its call: $(pgrep -af "lock_dir=$work/locks")"

# In a campaign: a tentacle whose Start fails costs that tentacle only, and results.json says
# why (plugin, its file, the method, the tentacle), not only that no tentacle was usable.
mkdir -p "$work/boards"
printf 'name: "FAULTY"\nport: "virtual"\nvariants: ""\nfeatures: "MCU_ONLY"\nfirmware_kind: "vimg"\n' >"$work/boards/FAULTY.textproto"
printf 'name: "faulty_lab"
tentacles { label: "f001-FAULTY" type: "faulty_board" board: "FAULTY" tags { key: "Start" value: "error" } }
tentacles { label: "3c01-VIRTUAL_STM" type: "virtual" board: "VIRTUAL_STM" }\n' >"$work/inventory.textproto"
"$mptest" --inventory="$work/inventory.textproto" --boards="$work/boards" --plugin_path="$plugins" \
  --testresults="$work/results" --lock_dir="$work/locks" --build_cache="$work/cache" \
  --only-test=RUN-TESTS_BASICS >"$work/campaign.out" 2>&1
rc=$?
[[ $rc -eq 3 ]] || fail "campaign with a failing Start: exit $rc, expected 3: $(tail -20 "$work/campaign.out")"
grep -q "f001-FAULTY: cannot start: plugin 'faulty_board' (libfaulty_board.so) Start on f001-FAULTY: Start failed as asked" \
  "$work/results/results.json" || fail "results.json does not say why f001-FAULTY was unusable"
grep -q '"RUN-TESTS_BASICS@3c01-VIRTUAL_STM"' "$work/results/results.json" \
  || fail "the healthy tentacle did not run: $(tail -20 "$work/campaign.out")"
# Each call the campaign makes to a board driver runs supervised: a crash, throw, exit or hang
# in Discover, Start or Stop costs the faulty tentacle, named, and the healthy one still passes.
for method in Discover Start Stop; do
  for fault in crash throw exit hang; do
    sed "s/key: \"Start\" value: \"error\"/key: \"$method\" value: \"$fault\"/" \
      "$work/inventory.textproto" >"$work/faulty.textproto"
    started=$SECONDS
    "$mptest" --inventory="$work/faulty.textproto" --boards="$work/boards" --plugin_path="$plugins" \
      --testresults="$work/results-$method-$fault" --lock_dir="$work/locks" --build_cache="$work/cache" \
      --only-test=RUN-TESTS_BASICS --call_timeout_s=2 >"$work/campaign.out" 2>&1
    rc=$?
    (( SECONDS - started < 30 )) || fail "$method $fault: the campaign took $((SECONDS - started)) s"
    results="$work/results-$method-$fault/results.json"
    # exit 3: faulty_board's tentacles have no console, so their runs error anyway.
    [[ $rc -eq 3 ]] || fail "$method $fault: exit $rc, expected 3: $(tail -20 "$work/campaign.out")"
    if [[ $method != Stop ]]; then  # Stop comes after the runs: its failure is only logged
      grep -q "plugin 'faulty_board'.* $method" "$results" \
        || fail "$method $fault: results.json does not name the plugin and method: $(grep -o 'all quarantined[^"]*' "$results")"
    fi
    grep -q '"RUN-TESTS_BASICS@3c01-VIRTUAL_STM"' "$results" \
      || fail "$method $fault: the healthy tentacle did not run: $(tail -20 "$work/campaign.out")"
    pgrep -f "$work/results-$method-$fault/" >/dev/null \
      && fail "$method $fault: a board outlived the campaign: $(pgrep -af "$work/results-$method-$fault/")"
  done
done

# Inside a test run: a crash, hang, throw or exit in the driver's Flash or version probe
# (ReadVersion), or in a harness's Run, costs that run: exit 3, results.json and the report name
# the plugin, its file, the method and the tentacle, the healthy tentacle passes, and nothing is
# left running. Short timeouts bound the hangs: the run's deadline is 3 x 4 s + 2 s.
printf 'spec { label: "RUN-TESTS_BASICS" fut: "MCU_ONLY" harness: "native" args: "--test-dirs=basics" timeout_s: 4 tentacles: 1 }
spec { label: "FAULTY_RUN" fut: "FAULTY_RUN" harness: "faulty_harness" timeout_s: 4 tentacles: 1 env { key: "Run" value: "FAULT" } }\n' \
  >"$work/specs.textproto"
printf 'name: "FAULTY"\nport: "virtual"\nvariants: ""\nfeatures: "MCU_ONLY"\nfeatures: "FAULTY_RUN"\nfirmware_kind: "vimg"\n' \
  >"$work/boards/FAULTY.textproto"
for method in Flash ReadVersion Run; do
  for fault in crash throw exit hang; do
    if [[ $method == Run ]]; then  # the faulty tentacle's board runs the faulty harness
      sed 's/key: "Start" value: "error"//' "$work/inventory.textproto" >"$work/faulty.textproto"
      sed "s/value: \"FAULT\"/value: \"$fault\"/" "$work/specs.textproto" >"$work/faulty-specs.textproto"
      plugin=faulty_harness
    else
      sed "s/key: \"Start\" value: \"error\"/key: \"$method\" value: \"$fault\"/" \
        "$work/inventory.textproto" >"$work/faulty.textproto"
      grep -v FAULTY_RUN "$work/specs.textproto" >"$work/faulty-specs.textproto"
      plugin=faulty_board
    fi
    results="$work/results-$method-$fault"
    started=$SECONDS
    "$mptest" --inventory="$work/faulty.textproto" --boards="$work/boards" --plugin_path="$plugins" \
      --specs="$work/faulty-specs.textproto" --testresults="$results" --lock_dir="$work/locks" \
      --build_cache="$work/cache" --run_margin_s=2 >"$work/campaign.out" 2>&1
    rc=$?
    (( SECONDS - started < 40 )) || fail "$method $fault: the campaign took $((SECONDS - started)) s"
    [[ $rc -eq 3 ]] || fail "$method $fault: exit $rc, expected 3: $(tail -20 "$work/campaign.out")"
    named="plugin '$plugin' (lib$plugin.so) $method"
    grep -q "f001-FAULTY.*$named\|$named.*f001-FAULTY" "$results/results.json" \
      || fail "$method $fault: results.json does not name the plugin, its file, the method and the tentacle: $(grep -o '"msg_error": "[^"]*' "$results/results.json")"
    named="plugin &#39;$plugin&#39; (lib$plugin.so) $method"  # the report escapes quotes
    grep -q "f001-FAULTY.*$named\|$named.*f001-FAULTY" "$results/report.md" \
      || fail "$method $fault: report.md does not name the plugin, its file, the method and the tentacle: $(grep f001-FAULTY "$results/report.md")"
    grep -q '"RUN-TESTS_BASICS@3c01-VIRTUAL_STM"' "$results/results.json" \
      || fail "$method $fault: the healthy tentacle did not run: $(tail -20 "$work/campaign.out")"
    # A throw is INTERNAL at the ABI boundary: deterministic, so the run is not retried.
    run=RUN-TESTS_BASICS
    [[ $method == Run ]] && run=FAULTY_RUN
    if [[ $fault == throw ]] && grep -q "$run@f001-FAULTY,b" "$results/results.json"; then
      fail "$method throw: retried (a second attempt, b)"
    fi
    pgrep -f "$results/" >/dev/null && fail "$method $fault: a process outlived the campaign: $(pgrep -af "$results/")"
  done
done

# SIGTERM while a Start hangs (its deadline 60 s away) ends mptest at once, exit 3.
sed 's/key: "Start" value: "error"/key: "Start" value: "hang"/' "$work/inventory.textproto" >"$work/hang.textproto"
"$mptest" --inventory="$work/hang.textproto" --boards="$work/boards" --plugin_path="$plugins" \
  --testresults="$work/results-term" --lock_dir="$work/locks" --build_cache="$work/cache" \
  --only-test=RUN-TESTS_BASICS >"$work/term.out" 2>&1 &
campaign=$!
for _ in $(seq 200); do  # the faulty tentacle's Start has begun once mptest logged it hangs
  [[ -d "$work/results-term/tentacles" ]] && break
  sleep 0.05
done
sleep 0.5
kill -TERM $campaign
started=$SECONDS
wait $campaign
rc=$?
(( SECONDS - started < 10 )) || fail "SIGTERM during a hung Start took $((SECONDS - started)) s"
[[ $rc -eq 3 ]] || fail "SIGTERM during a hung Start: exit $rc, expected 3: $(tail -5 "$work/term.out")"

# Usage errors: exit 2, before any call.
call 2 faulty_board Frob
grep -q "unknown method 'Frob'" "$work/err" || fail "unknown method: $(cat "$work/err")"
call 2 no_such_plugin Start
grep -q "no usable board driver 'no_such_plugin'" "$work/err" || fail "unknown plugin: $(cat "$work/err")"
echo 'entry { labl: "x" }' >"$work/bad.textproto"
call 2 faulty_board Start "$work/bad.textproto"
grep -q "bad.textproto:1:" "$work/err" || fail "bad request: $(cat "$work/err")"
call 2 good_builder Start "$work/t.textproto"
echo PASS
