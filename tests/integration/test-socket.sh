#!/usr/bin/env bash
# The listener: socket dir 0700 and socket 0600 whatever the umask,
# TUSK_SOCKET honoured by tuskd and tuskctl, SIGTERM removes the socket.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init

# umask 000 would leave a plain bind()'s socket 0777: the modes must be set
# by tuskd itself.
umask 000
TUSKD_SOCKET_VIA_ENV=1 tuskd_start
umask 022
pass "tuskd started with the socket from TUSK_SOCKET"
assert_file_mode "$(dirname "$TUSKD_SOCKET")" 700 "socket dir is 0700"
assert_file_mode "$TUSKD_SOCKET" 600 "socket is 0600"
if [[ -S $TUSKD_SOCKET ]]; then pass "socket is a Unix socket"; else flunk "socket is a Unix socket"; fi

run env TUSK_SOCKET="$TUSKD_SOCKET" "$TUSKCTL" --no-autostart ping
assert_eq "$RC" 0 "tuskctl finds the daemon through TUSK_SOCKET"
if [[ $OUT =~ ^pong\ from\ tuskd\ [^\ ]+\ in\ [0-9]+\.[0-9]{3}\ ms$ ]]; then
	pass "ping prints 'pong from tuskd VERSION in X.XXX ms'"
else
	flunk "ping prints 'pong from tuskd VERSION in X.XXX ms'" "got: $OUT"
fi

run "$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart --json ping
assert_eq "$RC" 0 "tuskctl --json ping"
assert_contains "$OUT" "{" "--json prints JSON"

sock=$TUSKD_SOCKET
tuskd_stop
assert_not_exists "$sock" "SIGTERM removes the socket file"
assert_rc 3 "nothing answers after the stop (exit 3)" "$TUSKCTL" --socket "$sock" --no-autostart ping
