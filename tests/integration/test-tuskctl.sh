#!/usr/bin/env bash
# tuskctl: exit codes (0 ok, 1 daemon error, 2 usage, 3 unreachable),
# status and settings, settings kept across a daemon restart.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init

tuskd_start

assert_rc 2 "no command is a usage error (2)" tctl
assert_rc 2 "an unknown command is a usage error (2)" tctl no-such-command
assert_rc 2 "an unknown option is a usage error (2)" tctl --no-such-option ping
assert_rc 2 "settings get without a key is a usage error (2)" tctl settings get
assert_rc 0 "--help exits 0" "$TUSKCTL" --help
assert_contains "$OUT" "Usage" "--help prints usage"

assert_rc 1 "settings set pool.max_size 0 is a daemon error (1)" tctl settings set pool.max_size 0
assert_contains "$ERR" "pool.max_size" "the error names the setting"
assert_rc 1 "an unknown setting is a daemon error (1)" tctl settings get no.such.key
assert_rc 3 "an unreachable socket exits 3" "$TUSKCTL" --socket "$T/nothing/here.sock" --no-autostart ping

assert_rc 0 "status" tctl status
assert_contains "$OUT" "$TUSKD_DATA" "status names the data dir"
assert_rc 0 "status --json" tctl --json status
assert_contains "$OUT" "{" "status --json is JSON"

assert_rc 0 "settings list" tctl settings list
assert_contains "$OUT" "pool.max_size" "settings list shows pool.max_size"
assert_rc 0 "settings get pool.max_size" tctl settings get pool.max_size
assert_contains "$OUT" "5" "pool.max_size defaults to 5"
assert_rc 0 "settings set pool.max_size 7" tctl settings set pool.max_size 7
run tctl settings get pool.max_size
assert_contains "$OUT" "7" "the new value is read back"

tuskd_stop
tuskd_start
run tctl settings get pool.max_size
assert_contains "$OUT" "7" "pool.max_size 7 survives a restart"
assert_rc 0 "settings reset pool.max_size" tctl settings reset pool.max_size
run tctl settings get pool.max_size
assert_contains "$OUT" "5" "reset brings back the default"
assert_not_contains "$OUT" "7" "the old value is gone"

assert_rc 0 "tuskctl shutdown" tctl shutdown
pid=$TUSKD_PID
if _tuskd_wait "$pid" 30; then
	_tuskd_forget "$pid"
	TUSKD_PID=
	assert_eq "$TUSKD_RC" 0 "tuskd exits 0 after daemon.shutdown"
else
	flunk "tuskd exits after daemon.shutdown"
fi
assert_not_exists "$TUSKD_SOCKET" "shutdown removes the socket"
