#!/usr/bin/env bash
# One tuskd per socket: a second one on a live socket is refused and the
# first keeps serving; a stale socket file left by kill -9 is replaced.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init

tuskd_start
first=$TUSKD_PID

run timeout 10 "$TUSKD" --socket "$TUSKD_SOCKET" --data-dir "$T/other-data"
assert_eq "$RC" 1 "a second tuskd on a live socket exits 1"
assert_contains "$ERR" "tuskd: another tuskd is already running on $TUSKD_SOCKET" \
	"it says another tuskd is running"
assert_rc 0 "the first tuskd still answers" tctl ping
assert_exists "$TUSKD_SOCKET" "the socket file is still there"
if kill -0 "$first" 2>/dev/null; then pass "the first tuskd is alive"; else flunk "the first tuskd is alive"; fi

tuskd_kill9 "$first"
assert_exists "$TUSKD_SOCKET" "kill -9 leaves a stale socket file"
assert_rc 3 "nothing answers on the stale socket" tctl ping

tuskd_start
assert_rc 0 "a new tuskd replaced the stale socket and answers" tctl ping
assert_file_mode "$TUSKD_SOCKET" 600 "the replacement socket is 0600"

# A plain file at the socket path is not a socket: tuskd must not delete it.
tuskd_stop
printf 'keep me\n' >"$TUSKD_SOCKET"
run timeout 5 "$TUSKD" --socket "$TUSKD_SOCKET" --data-dir "$TUSKD_DATA"
assert_eq "$RC" 1 "tuskd refuses (exit 1) a socket path that is a regular file"
assert_eq "$(cat "$TUSKD_SOCKET" 2>/dev/null)" "keep me" "and leaves the file alone"
