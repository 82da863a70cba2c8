#!/usr/bin/env bash
# Autostart: with nothing on the socket tuskctl starts tuskd detached and
# uses it; a second tuskctl reuses that daemon; --no-autostart exits 3.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init

tuskd_paths
tuskd_env
export TUSK_DAEMON=$TUSKD
sock=$TUSKD_SOCKET

# Every process whose command line or environment names our socket path
# (unique to this test's temp dir) and whose executable is tuskd.
tuskd_pids() {
	local d pid exe
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		exe=$(readlink "$d/exe" 2>/dev/null) || continue
		[[ $exe == */tuskd ]] || continue
		if tr '\0' '\n' <"$d/cmdline" 2>/dev/null | grep -qxF "$sock" ||
			tr '\0' '\n' <"$d/environ" 2>/dev/null | grep -qxF "TUSK_SOCKET=$sock"; then
			echo "$pid"
		fi
	done
}
stop_autostarted() {
	"$TUSKCTL" --socket "$sock" --no-autostart shutdown >/dev/null 2>&1 || true
	local pid
	for pid in $(tuskd_pids); do
		wait_until 10 test ! -e "/proc/$pid" || kill -KILL "$pid" 2>/dev/null || true
	done
}
at_exit stop_autostarted

assert_rc 3 "--no-autostart with nothing running exits 3" \
	"$TUSKCTL" --socket "$sock" --no-autostart ping
assert_not_exists "$sock" "--no-autostart started nothing"
assert_eq "$(tuskd_pids | wc -l)" 0 "no tuskd after --no-autostart"

run "$TUSKCTL" --socket "$sock" ping
assert_eq "$RC" 0 "tuskctl started tuskd and got a pong"
assert_contains "$OUT" "pong from tuskd" "pong"
assert_eq "$(tuskd_pids | wc -l)" 1 "one tuskd runs"
first=$(tuskd_pids)

assert_rc 0 "a second tuskctl is served" "$TUSKCTL" --socket "$sock" status
assert_eq "$(tuskd_pids)" "$first" "the second tuskctl reused the same tuskd"
ppid=$(awk '{print $4}' "/proc/$first/stat")
assert_ne "$ppid" "$$" "tuskd is detached (not the test's child)"

assert_rc 0 "tuskctl shutdown" "$TUSKCTL" --socket "$sock" --no-autostart shutdown
no_tuskd() { [[ -z $(tuskd_pids) ]]; } # re-read on every poll
if wait_until 10 no_tuskd; then
	pass "the daemon exits after shutdown"
else
	flunk "the daemon exits after shutdown"
fi
assert_not_exists "$sock" "shutdown removes the socket"
