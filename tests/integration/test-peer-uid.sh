#!/usr/bin/env bash
# A client running as another uid is refused by the daemon's SO_PEERCRED
# check. The test opens the file modes itself (dir 0711, socket 0666) so
# that only the daemon can be what refuses.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init

# Running a client as another uid needs root: scripts/test runs as root
# (it installs packages and starts PostgreSQL as postgres); anything else is
# a failure, never a skip.
if [[ $(id -u) -ne 0 ]]; then
	flunk "needs root to run a client as another user (run it through scripts/test as root)"
	exit 1
fi
tuskd_start
chmod 711 "$TUSKD_HOME" "$(dirname "$TUSKD_SOCKET")"
chmod 666 "$TUSKD_SOCKET"

# A copy nobody can execute wherever the build tree lives.
mkdir -p "$T/bin"
cp "$TUSKCTL" "$T/bin/tuskctl"
chmod 755 "$T/bin" "$T/bin/tuskctl"
assert_rc 0 "nobody can run tuskctl itself" runuser -u nobody -- "$T/bin/tuskctl" --help

run runuser -u nobody -- env HOME=/nonexistent "$T/bin/tuskctl" --socket "$TUSKD_SOCKET" --no-autostart ping
assert_ne "$RC" 0 "tuskctl as nobody exits non-zero"
assert_not_contains "$OUT" "pong" "nobody gets no pong"
assert_ne "$ERR" "" "tuskctl as nobody says why"
assert_not_contains "$ERR" "Permission denied" "the refusal is not the file modes"
note "tuskctl as nobody: $ERR"

# Raw: the connection itself succeeds (file modes allow it); the daemon
# answers with an error or closes it, never with a result.
req='{"jsonrpc":"2.0","id":1,"method":"daemon.ping"}'
run runuser -u nobody -- timeout 5 socat -t 2 - "UNIX-CONNECT:$TUSKD_SOCKET" <<<"$req"
assert_not_contains "$ERR" "Permission denied" "nobody can connect() (modes are open)"
assert_not_contains "$OUT" '"result"' "the daemon gives nobody no result"
note "raw reply to nobody: ${OUT:-<connection closed>}"

assert_rc 0 "the owner is still served" tctl ping
tuskd_stop
