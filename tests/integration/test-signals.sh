#!/usr/bin/env bash
# Signals: SIGHUP reopens the log file (log rotation), SIGINT and SIGTERM
# stop gracefully (socket removed, exit 0).
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init

tuskd_start
log=$(tuskd_log_file)
wait_until 5 test -s "$log" || true
assert_exists "$log" "tuskd writes a daily log file in \$TUSK_STATE_DIR/logs"

mv "$log" "$log.rotated"
tctl ping >/dev/null
kill -HUP "$TUSKD_PID"
if wait_until 5 test -e "$log"; then
	pass "SIGHUP makes a new log file"
else
	flunk "SIGHUP makes a new log file" "$(ls -la "$(dirname "$log")")"
fi
# A second SIGHUP logs into the reopened file, as do requests.
kill -HUP "$TUSKD_PID"
tctl settings set log.retention_days 8 >/dev/null
tctl ping >/dev/null
if wait_until 5 test -s "$log"; then
	pass "the new log file gets lines"
else
	flunk "the new log file gets lines"
fi
assert_rc 0 "tuskd still answers after SIGHUP" tctl ping

sock=$TUSKD_SOCKET
pid=$TUSKD_PID
kill -INT "$pid"
if _tuskd_wait "$pid" 30; then
	_tuskd_forget "$pid"
	TUSKD_PID=
	assert_eq "$TUSKD_RC" 0 "SIGINT stops tuskd with exit 0"
else
	flunk "SIGINT stops tuskd within 30 s"
fi
assert_not_exists "$sock" "SIGINT removes the socket file"

tuskd_start
sock=$TUSKD_SOCKET
tuskd_stop
assert_not_exists "$sock" "SIGTERM removes the socket file"
