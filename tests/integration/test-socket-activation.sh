#!/usr/bin/env bash
# systemd socket activation without systemd: systemd-socket-activate binds
# the socket and execs tuskd with LISTEN_FDS on the first connection.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init

command -v systemd-socket-activate >/dev/null || fail "systemd-socket-activate is not installed (scripts/deps install test)"
tuskd_paths
tuskd_env
mkdir -p "$(dirname "$TUSKD_SOCKET")"
chmod 700 "$(dirname "$TUSKD_SOCKET")"
systemd-socket-activate -l "$TUSKD_SOCKET" "$TUSKD" --data-dir "$TUSKD_DATA" \
	</dev/null >>"$TUSKD_STDERR" 2>&1 &
TUSKD_PID=$!
_tuskd_running+=("$TUSKD_PID:$TUSKD_STDERR")
at_exit tuskd_teardown
wait_until 10 test -S "$TUSKD_SOCKET" || fail "systemd-socket-activate did not bind $TUSKD_SOCKET"

run tctl ping
assert_eq "$RC" 0 "ping through the passed socket (first connection starts tuskd)"
assert_contains "$OUT" "pong from tuskd" "pong"
if tr '\0' '\n' <"/proc/$TUSKD_PID/environ" | grep -qx 'LISTEN_FDS=1'; then
	pass "tuskd runs with LISTEN_FDS=1"
else
	flunk "tuskd runs with LISTEN_FDS=1"
fi
assert_contains "$(readlink "/proc/$TUSKD_PID/exe")" tuskd "the activated process is tuskd"
assert_rc 0 "a second client is served too" tctl status
tuskd_stop
