#!/usr/bin/env bash
# The USB-error watchdog end to end on the virtual lab, with a script standing in for journalctl:
# a USB error line ends the campaign with exit 3 and names the line in the summary, context.json
# and the reports, and every line lands in journalctl.txt; --debug_skip_usb_error only warns;
# --usb_watchdog=off (and auto on the virtual lab) never starts the command; a command that
# cannot start is exit 2 with --usb_watchdog=on; the command never outlives mptest.
set -u
mptest="tools/mptest"
fail() { echo "FAIL: $*" >&2; exit 1; }
started="$TEST_TMPDIR/started"
log="$TEST_TMPDIR/usblog.sh"
line="2026-11-23T05:00:01+0000 host kernel: usb 1-1.2: device not accepting address 7, error -71"
cat >"$log" <<SCRIPT
#!/bin/sh
echo \$\$ >>"$started"
echo "2026-11-23T05:00:00+0000 host kernel: usb 1-1: new full-speed USB device number 5"
sleep 0.2
echo "$line"
exec sleep 30
SCRIPT
chmod +x "$log"
run() {  # run <name> args...: mptest's exit status in $rc, its output in $TEST_TMPDIR/<name>.out
  local name="$1"; shift
  "$mptest" --testresults="$TEST_TMPDIR/$name" --lock_dir="$TEST_TMPDIR/locks" \
    --build_cache="$TEST_TMPDIR/cache" "$@" >"$TEST_TMPDIR/$name.out" 2>&1
  rc=$?
}
gone() {  # the log command started last is not running any more
  local pid; pid=$(tail -1 "$started")
  [[ ! -e /proc/$pid ]] || fail "the log command ($pid) outlived mptest: $(cat /proc/$pid/stat)"
}

run usb --usb_watchdog=on --usb_log_command="$log" --only-test=RUN-TESTS_BASICS
[[ $rc -eq 3 ]] || fail "a USB error: exit $rc, want 3: $(tail "$TEST_TMPDIR/usb.out")"
grep -qF "ended early: USB error in the kernel log: $line" "$TEST_TMPDIR/usb.out" \
  || fail "the summary does not name the line: $(tail "$TEST_TMPDIR/usb.out")"
grep -qF "$line" "$TEST_TMPDIR/usb/journalctl.txt" && grep -q "new full-speed" "$TEST_TMPDIR/usb/journalctl.txt" \
  || fail "journalctl.txt: $(cat "$TEST_TMPDIR/usb/journalctl.txt")"
for f in context.json report.html report.md; do
  grep -qF "device not accepting address 7" "$TEST_TMPDIR/usb/$f" || fail "$f does not name the line"
done
gone

run skip --usb_watchdog=on --usb_log_command="$log" --debug_skip_usb_error
[[ $rc -eq 0 ]] || fail "--debug_skip_usb_error: exit $rc, want 0: $(tail "$TEST_TMPDIR/skip.out")"
grep -qF "warning: USB error in the kernel log (going on: --debug_skip_usb_error): $line" "$TEST_TMPDIR/skip.out" \
  || fail "no warning: $(head "$TEST_TMPDIR/skip.out")"
grep -qF "$line" "$TEST_TMPDIR/skip/journalctl.txt" || fail "journalctl.txt lacks the line"
gone

starts=$(wc -l <"$started")
for mode in off auto; do
  run "$mode" --usb_watchdog=$mode --usb_log_command="$log" --only-test=RUN-TESTS_BASICS
  [[ $rc -eq 0 ]] || fail "--usb_watchdog=$mode: exit $rc: $(tail "$TEST_TMPDIR/$mode.out")"
  [[ ! -e "$TEST_TMPDIR/$mode/journalctl.txt" ]] || fail "--usb_watchdog=$mode wrote journalctl.txt"
done
[[ $(wc -l <"$started") -eq $starts ]] || fail "the log command ran with --usb_watchdog=off/auto on the virtual lab"

run nocommand --usb_watchdog=on --usb_log_command=/nonexistent/journalctl
[[ $rc -eq 2 ]] || fail "a log command that cannot start: exit $rc, want 2"
grep -qF -- "--usb_watchdog=on: the USB log command '/nonexistent/journalctl' cannot be started" \
  "$TEST_TMPDIR/nocommand.out" || fail "$(cat "$TEST_TMPDIR/nocommand.out")"
run badmode --usb_watchdog=sometimes
[[ $rc -eq 2 ]] && grep -qF -- "--usb_watchdog: expected auto, on or off, got 'sometimes'" "$TEST_TMPDIR/badmode.out" \
  || fail "--usb_watchdog=sometimes: exit $rc: $(cat "$TEST_TMPDIR/badmode.out")"
echo PASS
